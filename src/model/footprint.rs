//! The research-compute footprint model of `shared/domain/model.md`:
//! inventory rows of GPU-hours → IT energy → facility energy → usage, idle
//! and embodied impacts, split by scope and by tag.

use super::outputs::{ADP, CATEGORIES, ENERGY, GWP, OutputLayout, PE, SCOPES, WATER};
use super::quantity::Quantity;
use crate::scenario::WaterFormula;

pub const HOURS_PER_YEAR: f64 = 8760.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Power {
    /// Piecewise-linear GPU power through (load, watts) points, times a scale.
    Curve {
        loads: Vec<f64>,
        watts: Vec<Quantity>,
        scale: Quantity,
    },
    /// A fixed per-GPU figure in watts.
    PerGpu(Quantity),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub count: Quantity,
    /// Per-unit embodied impact: gwp, pe, adp, water.
    pub factors: [Quantity; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub gpus_per_node: Quantity,
    pub power: Power,
    pub rest_of_node_w: Quantity,
    /// Rest-of-node power as a ratio of the GPU's power.
    pub rest_of_node_ratio: Quantity,
    pub lifetime_years: Quantity,
    pub lifetime_utilisation: Quantity,
    pub components: Vec<Component>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Hours {
    Direct(Quantity),
    /// `total × share`.
    Share {
        total: Quantity,
        share: Quantity,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub hours: Option<Hours>,
    /// Measured IT energy (kWh) replaces GPU-hours × power when given.
    pub it_energy_kwh: Option<Quantity>,
    pub profile: Option<usize>,
    pub load: Option<Quantity>,
    /// Indices of this row's tag values in the output layout.
    pub tags: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Idle {
    None,
    Energy,
    Ratio,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    pub rows: Vec<Row>,
    pub profiles: Vec<Profile>,
    pub pue: Quantity,
    pub wue_onsite: Quantity,
    /// Per kWh of facility energy: gwp, pe, adp, off-site water.
    pub grid: [Quantity; 4],
    pub idle: Idle,
    pub idle_value: Quantity,
    pub water_formula: WaterFormula,
    pub apply_pue: bool,
    pub layout: OutputLayout,
    /// All rows, and the rows carrying each tag value.
    pub all_rows: RowGroup,
    pub tag_rows: Vec<RowGroup>,
    /// The distinct (profile, load) pairs of the rows, and each row's pair
    /// (none for measured energy or no profile).
    pub power_groups: PowerGroups,
}

/// Rows on the same profile at the same load draw the same power per GPU:
/// it is computed once per pair and sample, not once per row (Moshi's 35
/// rows share one pair). The same arithmetic, so the same bits.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerGroups {
    pairs: Vec<(usize, Option<Quantity>)>,
    of_row: Vec<Option<usize>>,
}

impl PowerGroups {
    pub fn new(rows: &[Row]) -> Self {
        let mut pairs: Vec<(usize, Option<Quantity>)> = Vec::new();
        let of_row = rows
            .iter()
            .map(|row| {
                let profile = row.profile.filter(|_| row.it_energy_kwh.is_none())?;
                let pair = (profile, row.load.clone());
                Some(match pairs.iter().position(|p| *p == pair) {
                    Some(g) => g,
                    None => {
                        pairs.push(pair);
                        pairs.len() - 1
                    }
                })
            })
            .collect();
        PowerGroups { pairs, of_row }
    }
}

/// A set of rows, split by hardware profile so that GPU-hours can be summed
/// per profile in a register before multiplying by the profile's rates.
#[derive(Debug, Clone, PartialEq)]
pub struct RowGroup {
    /// (profile, rows on it); rows without a profile have no embodied part.
    pub by_profile: Vec<(Option<usize>, Vec<usize>)>,
}

impl RowGroup {
    pub fn new(rows: &[Row], members: impl Iterator<Item = usize>) -> Self {
        let mut by_profile: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
        for r in members {
            let p = rows[r].profile;
            match by_profile.iter_mut().find(|(q, _)| *q == p) {
                Some((_, list)) => list.push(r),
                None => by_profile.push((p, vec![r])),
            }
        }
        RowGroup { by_profile }
    }
}

/// Per-sample working memory, allocated once per worker.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// Per profile: embodied impact per GPU-hour in category order (gwp, pe,
    /// water, adp, energy = 0), rest-of-node power per GPU (W), and 1 + the
    /// rest-of-node power ratio.
    profile_rates: Vec<[f64; 7]>,
    /// Per profile: GPU power (W) at each point of its curve, scaled (one
    /// point for a fixed per-GPU figure); evaluated once per sample.
    curve_watts: Vec<Vec<f64>>,
    /// Per power group: node power per GPU (W) at its load.
    group_watts: Vec<f64>,
    /// Per row: IT energy (kWh) and GPU-hours.
    row_it_kwh: Vec<f64>,
    row_hours: Vec<f64>,
}

/// Energy and impact breakdown of one evaluation, for `ecoband baseline`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergySplit {
    pub it_kwh: f64,
    pub facility_kwh: f64,
    pub idle_kwh: f64,
}

impl Footprint {
    pub fn scratch(&self) -> Scratch {
        Scratch {
            profile_rates: vec![[0.0; 7]; self.profiles.len()],
            curve_watts: self
                .profiles
                .iter()
                .map(|p| match &p.power {
                    Power::Curve { watts, .. } => vec![0.0; watts.len()],
                    Power::PerGpu(_) => vec![0.0],
                })
                .collect(),
            group_watts: vec![0.0; self.power_groups.pairs.len()],
            row_it_kwh: vec![0.0; self.rows.len()],
            row_hours: vec![0.0; self.rows.len()],
        }
    }

    /// GPU power per GPU (W) of a profile at a load, excluding rest of node,
    /// from the profile's curve points evaluated for this sample.
    #[inline]
    fn gpu_power_w(power: &Power, watts: &[f64], load: f64) -> f64 {
        match power {
            Power::PerGpu(_) => watts[0],
            Power::Curve { loads, .. } => {
                let u = load.clamp(0.0, 1.0);
                // Few points (2–6): a linear scan beats a binary search.
                let mut i = 1;
                while i < loads.len() - 1 && u > loads[i] {
                    i += 1;
                }
                let (x0, x1) = (loads[i - 1], loads[i]);
                let (y0, y1) = (watts[i - 1], watts[i]);
                y0 + (u - x0) / (x1 - x0) * (y1 - y0)
            }
        }
    }

    /// Each profile's power-curve points for this sample, scaled.
    fn curve_watts(&self, values: &[f64], scratch: &mut Scratch) {
        for (p, watts) in self.profiles.iter().zip(scratch.curve_watts.iter_mut()) {
            match &p.power {
                Power::PerGpu(w) => watts[0] = w.eval(values),
                Power::Curve {
                    watts: points,
                    scale,
                    ..
                } => {
                    let scale = scale.eval(values);
                    for (w, q) in watts.iter_mut().zip(points) {
                        *w = q.eval(values) * scale;
                    }
                }
            }
        }
    }

    /// Embodied impacts per GPU-hour of each profile, in category order.
    fn profile_rates(&self, values: &[f64], scratch: &mut Scratch) {
        for (p, rates) in self.profiles.iter().zip(scratch.profile_rates.iter_mut()) {
            let gpus = p.gpus_per_node.eval(values);
            let gpu_hours_of_life = gpus
                * p.lifetime_years.eval(values)
                * HOURS_PER_YEAR
                * p.lifetime_utilisation.eval(values);
            // Component factors are stored gwp, pe, adp, water.
            let mut node = [0.0; 4];
            for c in &p.components {
                let count = c.count.eval(values);
                for (n, f) in node.iter_mut().zip(&c.factors) {
                    *n += count * f.eval(values);
                }
            }
            rates[GWP] = node[0] / gpu_hours_of_life;
            rates[PE] = node[1] / gpu_hours_of_life;
            rates[WATER] = node[3] / gpu_hours_of_life;
            rates[ADP] = node[2] / gpu_hours_of_life;
            rates[ENERGY] = 0.0;
            rates[5] = p.rest_of_node_w.eval(values) / gpus;
            rates[6] = 1.0 + p.rest_of_node_ratio.eval(values);
        }
    }

    /// IT energy (kWh) and embodied impacts (category order) of a group of
    /// rows. Sums stay in registers: accumulating in memory (e.g. into a
    /// per-profile array) chains every row through a store and a load, which
    /// measured 20 % slower on the Moshi scenario.
    #[inline]
    fn rows_sums(group: &RowGroup, scratch: &Scratch) -> (f64, [f64; 5]) {
        let mut it_kwh = 0.0;
        let mut embodied = [0.0; 5];
        for (profile, rows) in &group.by_profile {
            let mut hours = 0.0;
            for &r in rows {
                it_kwh += scratch.row_it_kwh[r];
                hours += scratch.row_hours[r];
            }
            if let Some(p) = profile {
                for (e, rate) in embodied.iter_mut().zip(&scratch.profile_rates[*p]) {
                    *e += hours * rate;
                }
            }
        }
        (it_kwh, embodied)
    }

    /// Evaluates every output series for one set of factor values.
    ///
    /// Every impact is linear in each row's IT energy and GPU-hours, so rows
    /// are reduced to those two numbers first; each output is then a short
    /// sum over its rows (kept in registers, not accumulated through memory,
    /// which was the bottleneck).
    pub fn evaluate(&self, values: &[f64], scratch: &mut Scratch, out: &mut [f64]) -> EnergySplit {
        self.profile_rates(values, scratch);
        self.curve_watts(values, scratch);
        for ((p, load), watts) in self
            .power_groups
            .pairs
            .iter()
            .zip(scratch.group_watts.iter_mut())
        {
            let load = load.as_ref().map_or(1.0, |l| l.eval(values));
            let rates = &scratch.profile_rates[*p];
            *watts = Self::gpu_power_w(&self.profiles[*p].power, &scratch.curve_watts[*p], load)
                * rates[6]
                + rates[5];
        }
        let mut it_kwh = 0.0;
        for (i, row) in self.rows.iter().enumerate() {
            let hours = match &row.hours {
                None => 0.0,
                Some(Hours::Direct(h)) => h.eval(values),
                Some(Hours::Share { total, share }) => total.eval(values) * share.eval(values),
            };
            let e = match (&row.it_energy_kwh, self.power_groups.of_row[i]) {
                (Some(measured), _) => measured.eval(values),
                (None, Some(g)) => hours * scratch.group_watts[g] * 1e-3,
                (None, None) => 0.0,
            };
            it_kwh += e;
            scratch.row_it_kwh[i] = e;
            scratch.row_hours[i] = hours;
        }

        let pue = if self.apply_pue {
            self.pue.eval(values)
        } else {
            1.0
        };
        let facility_kwh = it_kwh * pue;
        let idle_kwh = match self.idle {
            Idle::None => 0.0,
            Idle::Energy => self.idle_value.eval(values),
            Idle::Ratio => self.idle_value.eval(values) * facility_kwh,
        };
        let gwp = self.grid[0].eval(values);
        let pe = self.grid[1].eval(values);
        let adp = self.grid[2].eval(values);
        let water_offsite = self.grid[3].eval(values);
        let wue = self.wue_onsite.eval(values);
        let (water_per_it_kwh, water_per_idle_kwh) = match self.water_formula {
            WaterFormula::Ecologits => (wue + pue * water_offsite, water_offsite),
            WaterFormula::Olmo => (pue * (wue + water_offsite), wue + water_offsite),
        };
        // Impact per kWh of IT energy (usage) and per kWh of idle energy, in
        // category order.
        let usage_per_it = [pue * gwp, pe * pue, water_per_it_kwh, pue * adp, pue];
        let per_idle = [gwp, pe, water_per_idle_kwh, adp, 1.0];
        // Each row's idle share is its share of the runs' energy: the
        // reserved cluster served the project's jobs in that proportion.
        let idle_per_it = if it_kwh > 0.0 { idle_kwh / it_kwh } else { 0.0 };

        let stride = self.layout.stride();
        let (_, embodied) = Self::rows_sums(&self.all_rows, scratch);
        for cat in 0..CATEGORIES.len() {
            let usage = it_kwh * usage_per_it[cat];
            let idle = idle_kwh * per_idle[cat];
            let o = &mut out[cat * stride..(cat + 1) * stride];
            o[0] = usage + idle + embodied[cat];
            o[1] = usage;
            o[2] = idle;
            o[3] = embodied[cat];
        }
        for (t, rows) in self.tag_rows.iter().enumerate() {
            let (tag_it_kwh, tag_embodied) = Self::rows_sums(rows, scratch);
            for cat in 0..CATEGORIES.len() {
                let per_it = usage_per_it[cat] + idle_per_it * per_idle[cat];
                out[cat * stride + 1 + SCOPES.len() + t] = tag_it_kwh * per_it + tag_embodied[cat];
            }
        }
        EnergySplit {
            it_kwh,
            facility_kwh,
            idle_kwh,
        }
    }
}
