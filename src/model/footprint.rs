//! The research-compute footprint model of `docs/model.md`:
//! inventory rows of GPU-hours → IT energy → facility energy → usage, idle
//! and embodied impacts, split by scope and by tag.

use super::outputs::{ADP, CATEGORIES, ENERGY, GWP, OutputLayout, PE, Series, WATER};
use super::quantity::{LANES, Lanes, Quantity};
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
    /// The site (index into `Footprint::sites`) it ran at.
    pub site: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Idle {
    None,
    Energy,
    Ratio,
}

/// A data centre with its electricity and idle energy: the rates every
/// kWh of IT energy run there is charged at.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub pue: Quantity,
    pub wue_onsite: Quantity,
    /// Per kWh of facility energy: gwp, pe, adp, off-site water.
    pub grid: [Quantity; 4],
    pub idle: Idle,
    pub idle_value: Quantity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Footprint {
    pub rows: Vec<Row>,
    pub profiles: Vec<Profile>,
    /// One implicit site, or the scenario's `[sites.NAME]` in file order.
    pub sites: Vec<Site>,
    pub water_formula: WaterFormula,
    pub apply_pue: bool,
    pub layout: OutputLayout,
    /// How the rows reduce to sums of GPU-hours before impacts are computed.
    pub plan: RowPlan,
}

type Lane = [f64; LANES];

const ZERO_LANE: Lane = [0.0; LANES];

/// Every impact is linear in a row's GPU-hours and measured energy, and rows
/// drawing power at the same (profile, load) pair, or measured on the same
/// profile, contribute through the same rates. So an output needs only the
/// hours (and measured kWh) of its rows summed by such kind: Moshi's 35 rows
/// are one kind, and each of its 85 series is a few products of sums.
#[derive(Debug, Clone, PartialEq)]
pub struct RowPlan {
    /// The distinct (profile, load) pairs drawing power.
    power_groups: Vec<(usize, Option<Quantity>)>,
    kinds: Vec<RowKind>,
    /// Per set of rows (0: every row; 1 + t: the rows carrying tag value
    /// t): one sum per kind of its rows, in first-seen order, as (kind,
    /// index into `sums`).
    set_sums: Vec<Vec<(usize, usize)>>,
    sums: Vec<RowSum>,
}

/// The rows one sum adds up, in row order.
#[derive(Debug, Clone, Default, PartialEq)]
struct RowSum {
    /// Rows with GPU-hours.
    hours: Vec<usize>,
    /// Rows with measured IT energy.
    measured: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct RowKind {
    /// The power group the row draws from; none for measured energy.
    group: Option<usize>,
    /// The profile whose embodied impacts its GPU-hours carry.
    profile: Option<usize>,
    measured: bool,
    /// The site whose rates its IT energy is charged at.
    site: usize,
}

/// Index of `item` in `list`, appended if new.
fn position_or_push<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    list.iter().position(|x| *x == item).unwrap_or_else(|| {
        list.push(item);
        list.len() - 1
    })
}

impl RowPlan {
    /// `n_tag_values`: the layout's tag values, which rows' `tags` index.
    pub fn new(rows: &[Row], n_tag_values: usize) -> Self {
        let mut power_groups = Vec::new();
        let mut kinds = Vec::new();
        let mut set_sums: Vec<Vec<(usize, usize)>> = vec![Vec::new(); 1 + n_tag_values];
        let mut sums: Vec<RowSum> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            let measured = row.it_energy_kwh.is_some();
            let group = row
                .profile
                .filter(|_| !measured)
                .map(|p| position_or_push(&mut power_groups, (p, row.load.clone())));
            let kind = RowKind {
                group,
                profile: row.profile,
                measured,
                site: row.site,
            };
            let kind = position_or_push(&mut kinds, kind);
            for set in std::iter::once(0).chain(row.tags.iter().map(|t| 1 + t)) {
                let sum = match set_sums[set].iter().find(|(k, _)| *k == kind) {
                    Some((_, sum)) => *sum,
                    None => {
                        sums.push(RowSum::default());
                        set_sums[set].push((kind, sums.len() - 1));
                        sums.len() - 1
                    }
                };
                if row.hours.is_some() {
                    sums[sum].hours.push(r);
                }
                if measured {
                    sums[sum].measured.push(r);
                }
            }
        }
        RowPlan {
            power_groups,
            kinds,
            set_sums,
            sums,
        }
    }
}

/// Working memory for evaluating a block, allocated once per worker.
#[derive(Debug, Clone)]
pub struct Scratch {
    /// Per profile: embodied impact per GPU-hour (gwp, pe, water, adp),
    /// rest-of-node power per GPU (W), 1 + rest-of-node power ratio.
    profile_rates: Vec<[Lane; 6]>,
    /// Per profile: GPU power (W) at each point of its curve, scaled (one
    /// point for a fixed per-GPU figure).
    curve_watts: Vec<Vec<Lane>>,
    /// Per power group: node power per GPU (W) at its load.
    group_watts: Vec<Lane>,
    /// Per site: its rates and the energy of all rows run there.
    sites: Vec<SiteScratch>,
    /// Of a set of rows, per site: IT energy (kWh).
    set_it: Vec<Lane>,
    /// Per sum of the row plan: GPU-hours and measured IT energy.
    hours: Vec<Lane>,
    measured: Vec<Lane>,
    /// Per row: its GPU-hours and measured IT energy.
    row_hours: Vec<Lane>,
    row_measured: Vec<Lane>,
    /// A row's share of its share set's total.
    share: Lane,
}

/// One site's rates and energy in a block.
#[derive(Debug, Clone)]
struct SiteScratch {
    /// Impact per kWh of IT energy (usage) and per kWh of idle energy, in
    /// category order.
    usage_per_it: [Lane; 5],
    per_idle: [Lane; 5],
    /// Impact per kWh of a set's IT energy, its share of idle included.
    per_it: [Lane; 5],
    pue: Lane,
    /// Of all rows run at the site: IT, facility and idle energy (kWh),
    /// and idle energy per kWh of IT energy.
    it_kwh: Lane,
    facility_kwh: Lane,
    idle_kwh: Lane,
    idle_per_it: Lane,
}

impl SiteScratch {
    fn new() -> Self {
        SiteScratch {
            usage_per_it: [ZERO_LANE; 5],
            per_idle: [ZERO_LANE; 5],
            per_it: [ZERO_LANE; 5],
            pue: ZERO_LANE,
            it_kwh: ZERO_LANE,
            facility_kwh: ZERO_LANE,
            idle_kwh: ZERO_LANE,
            idle_per_it: ZERO_LANE,
        }
    }
}

/// Energy and impact breakdown of one evaluation, for `ecoband baseline`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EnergySplit {
    pub it_kwh: f64,
    pub facility_kwh: f64,
    pub idle_kwh: f64,
}

/// `out[s] = f(a[s], b[s])` for the first `out.len()` lanes.
#[inline(always)]
fn map2(out: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
        *o = f(*a, *b);
    }
}

/// `out = Σ lanes[r]` over `rows` in order (0 for none), eight samples at a
/// time with the running sums in registers. Computes whole groups of eight
/// lanes: those past `n` hold whatever earlier blocks left and are never
/// read.
#[inline(always)]
fn sum_rows(lanes: &[Lane], rows: &[usize], out: &mut Lane, n: usize) {
    const WIDTH: usize = 8;
    for first in (0..n).step_by(WIDTH) {
        let mut sum = [0.0; WIDTH];
        for &r in rows {
            for (s, x) in sum.iter_mut().zip(&lanes[r][first..first + WIDTH]) {
                *s += x;
            }
        }
        out[first..first + WIDTH].copy_from_slice(&sum);
    }
}

impl Footprint {
    pub fn scratch(&self) -> Scratch {
        Scratch {
            profile_rates: vec![[ZERO_LANE; 6]; self.profiles.len()],
            curve_watts: self
                .profiles
                .iter()
                .map(|p| match &p.power {
                    Power::Curve { watts, .. } => vec![ZERO_LANE; watts.len()],
                    Power::PerGpu(_) => vec![ZERO_LANE],
                })
                .collect(),
            group_watts: vec![ZERO_LANE; self.plan.power_groups.len()],
            sites: vec![SiteScratch::new(); self.sites.len()],
            set_it: vec![ZERO_LANE; self.sites.len()],
            hours: vec![ZERO_LANE; self.plan.sums.len()],
            measured: vec![ZERO_LANE; self.plan.sums.len()],
            row_hours: vec![ZERO_LANE; self.rows.len()],
            row_measured: vec![ZERO_LANE; self.rows.len()],
            share: ZERO_LANE,
        }
    }

    /// Evaluates every output series for one sample's factor values.
    pub fn evaluate(&self, values: &[f64], scratch: &mut Scratch, out: &mut [f64]) -> EnergySplit {
        self.evaluate_series(Lanes::one(values), scratch, &mut |j, _, x| out[j] = x[0]);
        let sum = |lane: fn(&SiteScratch) -> &Lane| scratch.sites.iter().map(|s| lane(s)[0]).sum();
        EnergySplit {
            it_kwh: sum(|s| &s.it_kwh),
            facility_kwh: sum(|s| &s.facility_kwh),
            idle_kwh: sum(|s| &s.idle_kwh),
        }
    }

    /// Evaluates every output series for a block of samples, handing each
    /// to `each(j, first, values)` as soon as it is computed: output `j` of
    /// samples `first..first + values.len()` (at most `LANES` at a time).
    /// Each sample's outputs are the bits `evaluate` gives it alone.
    pub fn evaluate_series(
        &self,
        lanes: Lanes,
        scratch: &mut Scratch,
        each: &mut dyn FnMut(usize, usize, &[f64]),
    ) {
        crate::cpu::dispatch(
            #[inline(always)]
            || footprint_series(self, lanes, scratch, each),
        )
    }

    /// `evaluate_series` for at most `LANES` samples.
    ///
    /// Rows are reduced to their summed GPU-hours (and measured energy) per
    /// set and kind first (see [`RowPlan`]); each output is then a short sum
    /// of products of those sums and per-sample rates. Series go out one
    /// lane at a time, so a caller can fold them while they are in L1
    /// cache instead of storing the block's 85 series first.
    #[inline(always)]
    fn evaluate_lanes(&self, lanes: Lanes, sc: &mut Scratch, each: &mut dyn FnMut(usize, &[f64])) {
        let n = lanes.n;
        self.profile_rates(lanes, sc);
        self.group_watts(lanes, sc);
        self.site_rates(lanes, sc);
        self.row_sums(lanes, sc);
        let l = &self.layout;
        let mut embodied = [ZERO_LANE; 4];
        let (mut usage, mut idle, mut total) = (ZERO_LANE, ZERO_LANE, ZERO_LANE);
        for set in 0..self.plan.set_sums.len() {
            self.set_sums(set, sc, n, &mut embodied);
            if set == 0 {
                self.all_rows_energy(lanes, sc);
                for site in sc.sites.iter_mut() {
                    for cat in 0..CATEGORIES.len() {
                        let (usage_rate, idle_rate) =
                            (&site.usage_per_it[cat], &site.per_idle[cat]);
                        for s in 0..n {
                            site.per_it[cat][s] =
                                usage_rate[s] + site.idle_per_it[s] * idle_rate[s];
                        }
                    }
                }
            }
            for cat in 0..CATEGORIES.len() {
                let embodied = if cat == ENERGY {
                    &ZERO_LANE
                } else {
                    &embodied[cat]
                };
                if set == 0 {
                    // The first site's terms are assigned, later sites'
                    // added: one site gives the bits of a single-site model.
                    for (i, (site, it)) in sc.sites.iter().zip(&sc.set_it).enumerate() {
                        let (usage_rate, idle_rate) =
                            (&site.usage_per_it[cat], &site.per_idle[cat]);
                        if i == 0 {
                            for s in 0..n {
                                usage[s] = it[s] * usage_rate[s];
                                idle[s] = site.idle_kwh[s] * idle_rate[s];
                            }
                        } else {
                            for s in 0..n {
                                usage[s] += it[s] * usage_rate[s];
                                idle[s] += site.idle_kwh[s] * idle_rate[s];
                            }
                        }
                    }
                    for s in 0..n {
                        total[s] = usage[s] + idle[s] + embodied[s];
                    }
                    each(l.index(cat, Series::Total), &total[..n]);
                    each(l.index(cat, Series::Scope(0)), &usage[..n]);
                    each(l.index(cat, Series::Scope(1)), &idle[..n]);
                    each(l.index(cat, Series::Scope(2)), &embodied[..n]);
                } else {
                    for (i, (site, it)) in sc.sites.iter().zip(&sc.set_it).enumerate() {
                        if i == 0 {
                            map2(&mut total[..n], it, &site.per_it[cat], |it, per_it| {
                                it * per_it
                            });
                        } else {
                            for s in 0..n {
                                total[s] += it[s] * site.per_it[cat][s];
                            }
                        }
                    }
                    for (t, e) in total[..n].iter_mut().zip(embodied) {
                        *t += e;
                    }
                    each(l.index(cat, Series::Tag(set - 1)), &total[..n]);
                }
            }
        }
    }

    /// Embodied impacts per GPU-hour and rest-of-node power of each profile.
    #[inline(always)]
    fn profile_rates(&self, lanes: Lanes, sc: &mut Scratch) {
        let n = lanes.n;
        let (mut gpus, mut life, mut x, mut count) = (ZERO_LANE, ZERO_LANE, ZERO_LANE, ZERO_LANE);
        for (p, rates) in self.profiles.iter().zip(sc.profile_rates.iter_mut()) {
            p.gpus_per_node.eval_lanes(lanes, &mut gpus[..n]);
            p.lifetime_years.eval_lanes(lanes, &mut life[..n]);
            p.lifetime_utilisation.eval_lanes(lanes, &mut x[..n]);
            for s in 0..n {
                life[s] = gpus[s] * life[s] * HOURS_PER_YEAR * x[s];
            }
            // Component factors are stored gwp, pe, adp, water.
            let mut node = [ZERO_LANE; 4];
            for c in &p.components {
                c.count.eval_lanes(lanes, &mut count[..n]);
                for (node, f) in node.iter_mut().zip(&c.factors) {
                    f.eval_lanes(lanes, &mut x[..n]);
                    for s in 0..n {
                        node[s] += count[s] * x[s];
                    }
                }
            }
            for (cat, k) in [(GWP, 0), (PE, 1), (WATER, 3), (ADP, 2)] {
                map2(&mut rates[cat][..n], &node[k], &life, |node, life| {
                    node / life
                });
            }
            p.rest_of_node_w.eval_lanes(lanes, &mut x[..n]);
            map2(&mut rates[4][..n], &x, &gpus, |watts, gpus| watts / gpus);
            p.rest_of_node_ratio.eval_lanes(lanes, &mut x[..n]);
            for (o, r) in rates[5][..n].iter_mut().zip(&x) {
                *o = 1.0 + r;
            }
        }
    }

    /// Node power per GPU (W) of each power group at its load.
    #[inline(always)]
    fn group_watts(&self, lanes: Lanes, sc: &mut Scratch) {
        let n = lanes.n;
        let mut x = ZERO_LANE;
        for (p, watts) in self.profiles.iter().zip(sc.curve_watts.iter_mut()) {
            match &p.power {
                Power::PerGpu(w) => w.eval_lanes(lanes, &mut watts[0][..n]),
                Power::Curve {
                    watts: points,
                    scale,
                    ..
                } => {
                    scale.eval_lanes(lanes, &mut x[..n]);
                    for (w, q) in watts.iter_mut().zip(points) {
                        q.eval_lanes(lanes, &mut w[..n]);
                        for (w, scale) in w[..n].iter_mut().zip(&x) {
                            *w *= scale;
                        }
                    }
                }
            }
        }
        let mut load = ZERO_LANE;
        for ((p, load_q), group) in self.plan.power_groups.iter().zip(sc.group_watts.iter_mut()) {
            match load_q {
                Some(q) => q.eval_lanes(lanes, &mut load[..n]),
                None => load[..n].fill(1.0),
            }
            let (curve, rates) = (&sc.curve_watts[*p], &sc.profile_rates[*p]);
            for s in 0..n {
                let gpu_w = match &self.profiles[*p].power {
                    Power::PerGpu(_) => curve[0][s],
                    Power::Curve { loads, .. } => Self::on_curve(loads, curve, load[s], s),
                };
                group[s] = gpu_w * rates[5][s] + rates[4][s];
            }
        }
    }

    /// GPU power (W) of sample `s` at `load`, linear between the curve's
    /// points (`watts`, one lane per point).
    #[inline(always)]
    fn on_curve(loads: &[f64], watts: &[Lane], load: f64, s: usize) -> f64 {
        let u = load.clamp(0.0, 1.0);
        // Few points (2–6): a linear scan beats a binary search.
        let mut i = 1;
        while i < loads.len() - 1 && u > loads[i] {
            i += 1;
        }
        let (x0, x1) = (loads[i - 1], loads[i]);
        let (y0, y1) = (watts[i - 1][s], watts[i][s]);
        y0 + (u - x0) / (x1 - x0) * (y1 - y0)
    }

    /// Each site's PUE and usage and idle impact per kWh, in category
    /// order.
    #[inline(always)]
    fn site_rates(&self, lanes: Lanes, sc: &mut Scratch) {
        let n = lanes.n;
        for (site, rates) in self.sites.iter().zip(sc.sites.iter_mut()) {
            let pue = &mut rates.pue[..n];
            if self.apply_pue {
                site.pue.eval_lanes(lanes, pue);
            } else {
                pue.fill(1.0);
            }
            let (usage, idle) = (&mut rates.usage_per_it, &mut rates.per_idle);
            // Grid factors are stored gwp, pe, adp, off-site water.
            for (cat, k) in [(GWP, 0), (PE, 1), (ADP, 2)] {
                site.grid[k].eval_lanes(lanes, &mut idle[cat][..n]);
            }
            map2(&mut usage[GWP][..n], pue, &idle[GWP], |pue, gwp| pue * gwp);
            map2(&mut usage[PE][..n], &idle[PE], pue, |pe, pue| pe * pue);
            map2(&mut usage[ADP][..n], pue, &idle[ADP], |pue, adp| pue * adp);
            usage[ENERGY][..n].copy_from_slice(pue);
            idle[ENERGY][..n].fill(1.0);
            let (mut offsite, mut wue) = (ZERO_LANE, ZERO_LANE);
            site.grid[3].eval_lanes(lanes, &mut offsite[..n]);
            site.wue_onsite.eval_lanes(lanes, &mut wue[..n]);
            for s in 0..n {
                (usage[WATER][s], idle[WATER][s]) = match self.water_formula {
                    WaterFormula::Ecologits => (wue[s] + pue[s] * offsite[s], offsite[s]),
                    WaterFormula::Olmo => (pue[s] * (wue[s] + offsite[s]), wue[s] + offsite[s]),
                };
            }
        }
    }

    /// GPU-hours and measured IT energy summed per (set, kind): each row's
    /// values first, then each sum over its rows with the running sums in
    /// registers (adding each row into every set it is in, in memory, made
    /// each addition a load and a store).
    #[inline(always)]
    fn row_sums(&self, lanes: Lanes, sc: &mut Scratch) {
        let n = lanes.n;
        for (r, row) in self.rows.iter().enumerate() {
            let hours = &mut sc.row_hours[r][..n];
            match &row.hours {
                None => {}
                Some(Hours::Direct(h)) => h.eval_lanes(lanes, hours),
                Some(Hours::Share { total, share }) => {
                    total.eval_lanes(lanes, hours);
                    share.eval_lanes(lanes, &mut sc.share[..n]);
                    for (h, share) in hours.iter_mut().zip(&sc.share) {
                        *h *= share;
                    }
                }
            }
            if let Some(q) = &row.it_energy_kwh {
                q.eval_lanes(lanes, &mut sc.row_measured[r][..n]);
            }
        }
        for (i, sum) in self.plan.sums.iter().enumerate() {
            sum_rows(&sc.row_hours, &sum.hours, &mut sc.hours[i], n);
            sum_rows(&sc.row_measured, &sum.measured, &mut sc.measured[i], n);
        }
    }

    /// IT energy (kWh) per site (into `sc.set_it`) and embodied impacts
    /// (gwp, pe, water, adp) of a set of rows, from its sums per kind.
    #[inline(always)]
    fn set_sums(&self, set: usize, sc: &mut Scratch, n: usize, embodied: &mut [Lane; 4]) {
        for it in sc.set_it.iter_mut() {
            it[..n].fill(0.0);
        }
        for e in embodied.iter_mut() {
            e[..n].fill(0.0);
        }
        for &(k, sum) in &self.plan.set_sums[set] {
            let kind = self.plan.kinds[k];
            let hours = &sc.hours[sum];
            let it = &mut sc.set_it[kind.site];
            if kind.measured {
                for (it, e) in it[..n].iter_mut().zip(&sc.measured[sum]) {
                    *it += e;
                }
            } else if let Some(g) = kind.group {
                let watts = &sc.group_watts[g];
                for s in 0..n {
                    it[s] += hours[s] * watts[s] * 1e-3;
                }
            }
            if let Some(p) = kind.profile {
                for (e, rate) in embodied.iter_mut().zip(&sc.profile_rates[p]) {
                    for s in 0..n {
                        e[s] += hours[s] * rate[s];
                    }
                }
            }
        }
    }

    /// Per site: facility and idle energy of all rows run there (their IT
    /// energy in `sc.set_it`), and the idle energy per kWh of IT energy
    /// that each row's share carries.
    #[inline(always)]
    fn all_rows_energy(&self, lanes: Lanes, sc: &mut Scratch) {
        let n = lanes.n;
        for ((site, e), it) in self.sites.iter().zip(sc.sites.iter_mut()).zip(&sc.set_it) {
            e.it_kwh[..n].copy_from_slice(&it[..n]);
            map2(&mut e.facility_kwh[..n], it, &e.pue, |it, pue| it * pue);
            match site.idle {
                Idle::None => e.idle_kwh[..n].fill(0.0),
                Idle::Energy => site.idle_value.eval_lanes(lanes, &mut e.idle_kwh[..n]),
                Idle::Ratio => {
                    site.idle_value.eval_lanes(lanes, &mut e.idle_kwh[..n]);
                    for (idle, facility) in e.idle_kwh[..n].iter_mut().zip(&e.facility_kwh) {
                        *idle *= facility;
                    }
                }
            }
            // Each row's idle share is its share of the site's runs'
            // energy: the reserved cluster served the project's jobs there
            // in that proportion.
            map2(&mut e.idle_per_it[..n], &e.idle_kwh, it, |idle, it| {
                if it > 0.0 { idle / it } else { 0.0 }
            });
        }
    }
}

/// The loop of [`Footprint`]'s `evaluate_series`, compiled once per
/// dispatch path (`crate::cpu`); explicit reference parameters keep
/// their no-alias facts when it is inlined, so the loop vectorises.
#[inline(always)]
fn footprint_series(
    this: &Footprint,
    lanes: Lanes,
    scratch: &mut Scratch,
    each: &mut dyn FnMut(usize, usize, &[f64]),
) {
    for first in (0..lanes.n).step_by(LANES) {
        let part = Lanes {
            values: &lanes.values[first..],
            stride: lanes.stride,
            n: (lanes.n - first).min(LANES),
        };
        this.evaluate_lanes(part, scratch, &mut |j, x| each(j, first, x));
    }
}
