//! One parser per top-level section of a scenario file.

use std::ops::Range;
use std::sync::Arc;

use super::doc::{TableNode, as_array, as_f64, as_str, as_table, index_path};
use super::error::ScenarioError;
use super::preset::{PresetUse, with_preset};
use super::value::{Meta, ValueKind, ValueSpec, parse_meta, parse_value};
use super::{Conventions, NameRef, Settings, WaterFormula};
use crate::presets::PresetKind;
use crate::test_functions::NAMES as TEST_FUNCTIONS;

/// A categorical input: one of several named alternatives (an embodied-data
/// source, a country …) with probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceSpec {
    pub name: String,
    pub options: Vec<String>,
    pub weights: Vec<f64>,
    pub nominal: usize,
    pub meta: Meta,
    pub path: String,
    pub span: Range<usize>,
    /// The hardware preset that declares it (None: the scenario).
    pub origin: Option<Arc<PresetUse>>,
}

/// Shares of a named total that sum to 1, fixed or sampled jointly
/// (Dirichlet centred on the given shares).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareSetSpec {
    pub name: String,
    /// The total the shares split; rows may instead give their own hours.
    pub total: Option<ValueSpec>,
    pub keys: Vec<String>,
    /// Normalised to sum to exactly 1.
    pub shares: Vec<f64>,
    pub concentration: Option<f64>,
    pub meta: Meta,
    pub path: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DatacenterSpec {
    pub pue: ValueSpec,
    pub wue_onsite: ValueSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ElectricitySpec {
    pub gwp: ValueSpec,
    pub pe: ValueSpec,
    pub adp: ValueSpec,
    pub water: ValueSpec,
}

/// Where compute ran: a data centre, the electricity it draws and its
/// idle energy. A scenario without `[sites.NAME]` tables has one implicit
/// site made of its top-level `[datacenter]`, `[electricity]` and `[idle]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSpec {
    /// The NAME of `[sites.NAME]`; empty for the implicit site.
    pub name: String,
    pub meta: Meta,
    pub datacenter: DatacenterSpec,
    pub electricity: ElectricitySpec,
    pub idle: Option<IdleSpec>,
    /// `sites.NAME`, or empty for the implicit site.
    pub path: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IdleSpec {
    /// Facility energy of reserved but idle hardware, kWh.
    Energy(ValueSpec),
    /// Idle facility energy as a ratio of the runs' facility energy.
    Ratio(ValueSpec),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DefaultsSpec {
    pub profile: Option<NameRef>,
    pub site: Option<NameRef>,
    pub load: Option<ValueSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PowerSpec {
    /// GPU power (W) at each load point, linear in between, times `scale`.
    Curve {
        points: Vec<(f64, ValueSpec)>,
        scale: Option<ValueSpec>,
    },
    /// A fixed per-GPU figure (W), e.g. TDP, as some studies use.
    PerGpu(ValueSpec),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComponentSpec {
    pub name: String,
    pub count: ValueSpec,
    /// Per-unit embodied impacts: gwp, pe, adp, water (None = 0).
    pub factors: [Option<ValueSpec>; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSpec {
    pub name: String,
    pub path: String,
    pub span: Range<usize>,
    pub gpus_per_node: ValueSpec,
    pub power: PowerSpec,
    pub rest_of_node_w: Option<ValueSpec>,
    /// Rest-of-node power as a ratio of GPU power (instead of watts).
    pub rest_of_node_ratio: Option<ValueSpec>,
    pub lifetime_years: ValueSpec,
    pub lifetime_utilisation: Option<ValueSpec>,
    pub load: Option<ValueSpec>,
    /// The preset's `load`, dropped because the scenario gives a fixed
    /// `gpu_power_w`: kept only so that `check` can list it as having no
    /// effect (a load only selects a point of a curve).
    pub dropped_load: Option<ValueSpec>,
    pub embodied: Vec<ComponentSpec>,
    pub meta: Meta,
    /// Choices declared by the profile's preset (their values depend on
    /// them); the scenario's own `[choices.NAME]` of the same name wins.
    pub choices: Vec<ChoiceSpec>,
}

impl ProfileSpec {
    /// Whether any of the profile's values depends on choice `name`.
    pub fn uses_choice(&self, name: &str) -> bool {
        let power: Vec<&ValueSpec> = match &self.power {
            PowerSpec::Curve { points, scale } => {
                points.iter().map(|(_, w)| w).chain(scale).collect()
            }
            PowerSpec::PerGpu(w) => vec![w],
        };
        let embodied = self
            .embodied
            .iter()
            .flat_map(|c| std::iter::once(&c.count).chain(c.factors.iter().flatten()));
        std::iter::once(&self.gpus_per_node)
            .chain(power)
            .chain(&self.rest_of_node_w)
            .chain(&self.rest_of_node_ratio)
            .chain(std::iter::once(&self.lifetime_years))
            .chain(&self.lifetime_utilisation)
            .chain(&self.load)
            .chain(embodied)
            .any(|v| matches!(&v.kind, ValueKind::Choice { choice, .. } if choice == name))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum HoursSpec {
    Direct(ValueSpec),
    /// `share` of `of` (the row's own `gpu_hours`) or, without it, of the
    /// share set's `total`.
    Share {
        set: NameRef,
        key: String,
        of: Option<ValueSpec>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowSpec {
    pub name: String,
    pub path: String,
    pub span: Range<usize>,
    pub tags: Vec<(String, String)>,
    pub hours: Option<HoursSpec>,
    pub it_energy_kwh: Option<ValueSpec>,
    pub profile: Option<NameRef>,
    pub load: Option<ValueSpec>,
    /// The `[sites.NAME]` the row ran at (else `[defaults].site`, else the
    /// only site).
    pub site: Option<NameRef>,
}

/// A named set of uncertain factors whose joint effect a sensitivity
/// analysis reports (closed first-order and total indices).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub name: String,
    /// Factor names (parameter names or key paths of inline distributions).
    pub members: Vec<NameRef>,
    pub path: String,
    pub span: Range<usize>,
}

pub const EMBODIED_CATEGORIES: [&str; 4] = ["gwp", "pe", "adp", "water"];

/// The `[scenario]` table.
pub struct Header {
    pub name: String,
    pub description: Option<String>,
    /// The test function named by `model`, if not the footprint model.
    pub test_function: Option<&'static str>,
}

pub fn parse_header(root: &TableNode<'_, '_>) -> Result<Header, ScenarioError> {
    let Some(header) = root.sub_table("scenario")? else {
        return Err(root.error(
            "a scenario file starts with a [scenario] table giving at least `name = \"…\"`".into(),
        ));
    };
    header.deny_unknown(&["name", "description", "model"], "[scenario]")?;
    let test_function = match header.opt_str("model")?.as_deref() {
        None | Some("footprint") => None,
        Some(id) => match TEST_FUNCTIONS.iter().find(|n| **n == id) {
            Some(known) => Some(*known),
            None => {
                return Err(header.doc.error_at(
                    &header.span_of("model"),
                    &header.child_path("model"),
                    format!(
                        "unknown model `{id}`; allowed: footprint, {}",
                        TEST_FUNCTIONS.join(", ")
                    ),
                ));
            }
        },
    };
    let name = header
        .opt_str("name")?
        .ok_or_else(|| header.error("[scenario] needs `name = \"…\"`".into()))?;
    Ok(Header {
        name,
        description: header.opt_str("description")?,
        test_function,
    })
}

pub fn parse_settings(root: &TableNode<'_, '_>) -> Result<Settings, ScenarioError> {
    let Some(t) = root.sub_table("settings")? else {
        return Ok(Settings::default());
    };
    t.deny_unknown(&["samples", "seed", "level"], "[settings]")?;
    let whole = |key: &str| -> Result<Option<u64>, ScenarioError> {
        match t.opt_f64(key)? {
            None => Ok(None),
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= 2f64.powi(53) => Ok(Some(x as u64)),
            Some(x) => Err(t.doc.error_at(
                &t.span_of(key),
                &t.child_path(key),
                format!("{x} is not allowed; `{key}` is a whole number ≥ 0"),
            )),
        }
    };
    let level = t.opt_f64("level")?;
    if let Some(l) = level
        && !(l > 0.0 && l < 1.0)
    {
        return Err(t.doc.error_at(
            &t.span_of("level"),
            &t.child_path("level"),
            format!(
                "level {l} is not allowed; it is a probability strictly between 0 and 1, e.g. 0.95"
            ),
        ));
    }
    let samples = whole("samples")?;
    if let Some(n) = samples
        && n < 2
    {
        return Err(t.doc.error_at(
            &t.span_of("samples"),
            &t.child_path("samples"),
            format!(
                "samples = {n} is too few; a run needs at least 2 samples (1000000 is a good start)"
            ),
        ));
    }
    Ok(Settings {
        samples,
        seed: whole("seed")?,
        level,
    })
}

pub fn parse_conventions(root: &TableNode<'_, '_>) -> Result<Conventions, ScenarioError> {
    let mut conventions = Conventions {
        water_formula: WaterFormula::Ecologits,
        apply_pue: true,
    };
    let Some(t) = root.sub_table("conventions")? else {
        return Ok(conventions);
    };
    t.deny_unknown(&["water_formula", "apply_pue"], "[conventions]")?;
    if let Some(w) = t.opt_str("water_formula")? {
        conventions.water_formula = match w.as_str() {
            "ecologits" => WaterFormula::Ecologits,
            "olmo" => WaterFormula::Olmo,
            other => {
                return Err(t.doc.error_at(
                    &t.span_of("water_formula"),
                    &t.child_path("water_formula"),
                    format!("unknown water formula `{other}`; allowed: ecologits, olmo"),
                ));
            }
        };
    }
    if let Some(b) = t.opt_bool("apply_pue")? {
        conventions.apply_pue = b;
    }
    Ok(conventions)
}

pub fn parse_parameters(
    root: &TableNode<'_, '_>,
) -> Result<Vec<(String, ValueSpec)>, ScenarioError> {
    let Some(t) = root.sub_table("parameters")? else {
        return Ok(Vec::new());
    };
    t.entries()
        .map(|(name, value)| {
            Ok((
                name.to_string(),
                parse_value(t.doc, value, &t.child_path(name))?,
            ))
        })
        .collect()
}

pub fn parse_choices(root: &TableNode<'_, '_>) -> Result<Vec<ChoiceSpec>, ScenarioError> {
    match root.sub_table("choices")? {
        None => Ok(Vec::new()),
        Some(t) => parse_choice_table(&t),
    }
}

/// The choices of a `[choices]` table (of a scenario or a hardware preset).
pub fn parse_choice_table(t: &TableNode<'_, '_>) -> Result<Vec<ChoiceSpec>, ScenarioError> {
    let mut choices = Vec::new();
    for (name, value) in t.entries() {
        let c = as_table(t.doc, value, t.child_path(name))?;
        c.deny_unknown(
            &[
                "options", "weights", "nominal", "unit", "source", "note", "label",
            ],
            "a choice",
        )?;
        let options_path = c.child_path("options");
        let options: Vec<String> =
            as_array(c.doc, c.require("options", "a choice")?, &options_path)?
                .iter()
                .enumerate()
                .map(|(i, v)| as_str(c.doc, v, &index_path(&options_path, i)))
                .collect::<Result<_, _>>()?;
        if options.is_empty() {
            return Err(c.error("a choice needs at least one option".into()));
        }
        let weights = match c.get("weights") {
            None => vec![1.0; options.len()],
            Some(w) => {
                let wp = c.child_path("weights");
                let ws: Vec<f64> = as_array(c.doc, w, &wp)?
                    .iter()
                    .enumerate()
                    .map(|(i, v)| as_f64(c.doc, v, &index_path(&wp, i)))
                    .collect::<Result<_, _>>()?;
                let sum: f64 = ws.iter().sum();
                if ws.len() != options.len()
                    || ws.iter().any(|x| *x < 0.0)
                    || !(sum > 0.0 && sum.is_finite())
                {
                    return Err(c.doc.error_at(
                        &w.span(),
                        &wp,
                        format!(
                            "weights must be {} numbers ≥ 0 (one per option) with a positive, finite sum",
                            options.len()
                        ),
                    ));
                }
                ws
            }
        };
        let nominal = match c.opt_str("nominal")? {
            None => first_max(&weights),
            Some(n) => options.iter().position(|o| *o == n).ok_or_else(|| {
                c.doc.error_at(
                    &c.span_of("nominal"),
                    &c.child_path("nominal"),
                    format!(
                        "nominal `{n}` is not an option; options: {}",
                        options.join(", ")
                    ),
                )
            })?,
        };
        if weights[nominal] == 0.0 {
            return Err(c.doc.error_at(
                &c.span_of("nominal"),
                &c.child_path("nominal"),
                format!(
                    "nominal `{}` has weight 0: the baseline would be an option no sample takes; give it a weight or name another `nominal`",
                    options[nominal]
                ),
            ));
        }
        choices.push(ChoiceSpec {
            name: name.to_string(),
            options,
            weights,
            nominal,
            meta: parse_meta(&c)?,
            path: c.path.clone(),
            span: c.span.clone(),
            origin: c.doc.origin.clone(),
        });
    }
    Ok(choices)
}

fn first_max(weights: &[f64]) -> usize {
    let mut best = 0;
    for (i, w) in weights.iter().enumerate() {
        if *w > weights[best] {
            best = i;
        }
    }
    best
}

pub fn parse_share_sets(root: &TableNode<'_, '_>) -> Result<Vec<ShareSetSpec>, ScenarioError> {
    let Some(t) = root.sub_table("shares")? else {
        return Ok(Vec::new());
    };
    let mut sets = Vec::new();
    for (name, value) in t.entries() {
        let s = as_table(t.doc, value, t.child_path(name))?;
        let what = "a share set";
        s.deny_unknown(
            &[
                "total",
                "shares",
                "concentration",
                "sum_tolerance",
                "source",
                "note",
                "label",
            ],
            what,
        )?;
        let total = optional_value(&s, "total")?;
        let Some(parts) = s.sub_table("shares")? else {
            return Err(s.error("a share set needs `shares = { key = fraction, … }`".into()));
        };
        let mut keys = Vec::new();
        let mut shares = Vec::new();
        for (key, v) in parts.entries() {
            let x = as_f64(s.doc, v, &parts.child_path(key))?;
            if !(x > 0.0 && x <= 1.0) {
                return Err(s.doc.error_at(
                    &v.span(),
                    &parts.child_path(key),
                    format!("share {x} is not allowed; a share is a fraction in (0, 1]"),
                ));
            }
            keys.push(key.to_string());
            shares.push(x);
        }
        if keys.is_empty() {
            return Err(parts.error("a share set needs at least one share".into()));
        }
        let tolerance = s.opt_f64("sum_tolerance")?.unwrap_or(1e-9);
        if !(0.0..=0.05).contains(&tolerance) {
            return Err(s.doc.error_at(
                &s.span_of("sum_tolerance"),
                &s.child_path("sum_tolerance"),
                format!("sum_tolerance {tolerance} is not allowed; use a value in [0, 0.05] (rounding of published percentages)"),
            ));
        }
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > tolerance {
            return Err(parts.error(format!(
                "shares sum to {sum}, not 1 (allowed deviation {tolerance}); fix them, or set `sum_tolerance` if the published percentages are rounded"
            )));
        }
        shares.iter_mut().for_each(|x| *x /= sum);
        let concentration = s.opt_f64("concentration")?;
        if let Some(c) = concentration
            && c <= 0.0
        {
            return Err(s.doc.error_at(
                &s.span_of("concentration"),
                &s.child_path("concentration"),
                format!("concentration {c} is not allowed; it is > 0 (larger = shares closer to the given ones), or omit it for fixed shares"),
            ));
        }
        sets.push(ShareSetSpec {
            name: name.to_string(),
            total,
            keys,
            shares,
            concentration,
            meta: parse_meta(&s)?,
            path: s.path.clone(),
            span: s.span.clone(),
        });
    }
    Ok(sets)
}

fn required_value(
    t: &TableNode<'_, '_>,
    key: &str,
    what: &str,
) -> Result<ValueSpec, ScenarioError> {
    parse_value(t.doc, t.require(key, what)?, &t.child_path(key))
}

fn optional_value(t: &TableNode<'_, '_>, key: &str) -> Result<Option<ValueSpec>, ScenarioError> {
    t.get(key)
        .map(|v| parse_value(t.doc, v, &t.child_path(key)))
        .transpose()
}

fn required_section<'d, 't>(
    root: &TableNode<'d, 't>,
    key: &str,
    keys: &str,
) -> Result<TableNode<'d, 't>, ScenarioError> {
    root.sub_table(key)?.ok_or_else(|| {
        let (whose, section) = match root.path.as_str() {
            "" => ("the scenario".to_string(), key.to_string()),
            site => (format!("[{site}]"), root.child_path(key)),
        };
        root.error(format!("{whose} needs a [{section}] table with {keys}"))
    })
}

/// The `preset = "NAME"` of a scenario table, if any.
fn preset_ref(t: &TableNode<'_, '_>) -> Result<Option<NameRef>, ScenarioError> {
    name_ref(t, "preset")
}

/// `own` if the scenario gives it, else the preset's.
fn overlay(own: Option<ValueSpec>, preset: Option<ValueSpec>) -> Option<ValueSpec> {
    own.or(preset)
}

/// A key that neither the scenario nor its preset gives.
fn missing(t: &TableNode<'_, '_>, key: &str, what: &str) -> ScenarioError {
    t.error(format!(
        "{what} needs the key `{key}`, which is missing (give it, or name a preset that has it with `preset = \"…\"`; `ecoband presets` lists them)"
    ))
}

fn need(
    t: &TableNode<'_, '_>,
    value: Option<ValueSpec>,
    key: &str,
    what: &str,
) -> Result<ValueSpec, ScenarioError> {
    value.ok_or_else(|| missing(t, key, what))
}

fn parse_datacenter(root: &TableNode<'_, '_>) -> Result<DatacenterSpec, ScenarioError> {
    let [pue, wue_onsite] = values_with_preset(
        root,
        "datacenter",
        "`pue` and `wue_onsite`, or `preset = \"…\"`",
        (PresetKind::Datacenter, "a data-centre preset"),
        ["pue", "wue_onsite"],
    )?;
    Ok(DatacenterSpec { pue, wue_onsite })
}

fn parse_electricity(root: &TableNode<'_, '_>) -> Result<ElectricitySpec, ScenarioError> {
    let [gwp, pe, adp, water] = values_with_preset(
        root,
        "electricity",
        "`gwp`, `pe`, `adp` and `water`, or `preset = \"…\"`",
        (PresetKind::Electricity, "an electricity preset"),
        ["gwp", "pe", "adp", "water"],
    )?;
    Ok(ElectricitySpec {
        gwp,
        pe,
        adp,
        water,
    })
}

/// A required section of named values (plus `source`, `note`) that a preset
/// of `kind` can supply: each key is the scenario's if written, else the
/// preset's, and missing from both is an error.
fn values_with_preset<const N: usize>(
    root: &TableNode<'_, '_>,
    section: &str,
    hint: &str,
    (kind, preset_what): (PresetKind, &str),
    keys: [&str; N],
) -> Result<[ValueSpec; N], ScenarioError> {
    let t = required_section(root, section, hint)?;
    let allowed = |extra: &'static str| -> Vec<&str> {
        keys.iter()
            .copied()
            .chain(["source", "note", extra])
            .collect()
    };
    let what = format!("[{}]", t.path);
    t.deny_unknown(&allowed("preset"), &what)?;
    let mut preset: [Option<ValueSpec>; N] = std::array::from_fn(|_| None);
    if let Some(r) = preset_ref(&t)? {
        preset = with_preset(t.doc, &r, kind, &t.path, |p| {
            p.deny_unknown(&allowed("description"), preset_what)?;
            let mut values: [Option<ValueSpec>; N] = std::array::from_fn(|_| None);
            for (slot, key) in values.iter_mut().zip(keys) {
                *slot = optional_value(p, key)?;
            }
            Ok(values)
        })?;
    }
    let mut values = Vec::with_capacity(N);
    for (key, from_preset) in keys.into_iter().zip(preset) {
        let value = overlay(optional_value(&t, key)?, from_preset);
        values.push(need(&t, value, key, &what)?);
    }
    Ok(values.try_into().expect("one value per key"))
}

/// The sites of a footprint scenario: its `[sites.NAME]` tables, or the
/// implicit site of its top-level `[datacenter]`, `[electricity]` and
/// `[idle]`; and whether the sites are named.
pub fn parse_sites(root: &TableNode<'_, '_>) -> Result<(Vec<SiteSpec>, bool), ScenarioError> {
    let Some(sites) = root.sub_table("sites")? else {
        let site = SiteSpec {
            name: String::new(),
            meta: Meta::default(),
            datacenter: parse_datacenter(root)?,
            electricity: parse_electricity(root)?,
            idle: parse_idle(root)?,
            path: String::new(),
            span: root.span.clone(),
        };
        return Ok((vec![site], false));
    };
    for key in ["datacenter", "electricity", "idle"] {
        if root.contains(key) {
            return Err(root.doc.error_at(
                &root.span_of(key),
                key,
                format!(
                    "a scenario with [sites.NAME] tables gives each site its own [sites.NAME.{key}]; move this [{key}] into a site (a value two sites share can be a named parameter), or remove [sites] for a single-site scenario"
                ),
            ));
        }
    }
    let mut out = Vec::new();
    for (name, value) in sites.entries() {
        let t = as_table(root.doc, value, sites.child_path(name))?;
        t.deny_unknown(
            &[
                "datacenter",
                "electricity",
                "idle",
                "label",
                "source",
                "note",
            ],
            "a site",
        )?;
        let mut datacenter = parse_datacenter(&t)?;
        let mut electricity = parse_electricity(&t)?;
        let (d, e) = (&mut datacenter, &mut electricity);
        for v in [&mut d.pue, &mut d.wue_onsite, &mut e.gwp, &mut e.pe]
            .into_iter()
            .chain([&mut e.adp, &mut e.water])
        {
            name_site_in_label(v, name);
        }
        out.push(SiteSpec {
            name: name.to_string(),
            meta: parse_meta(&t)?,
            datacenter,
            electricity,
            idle: parse_idle(&t)?,
            path: t.path.clone(),
            span: t.span.clone(),
        });
    }
    if out.is_empty() {
        return Err(sites.error(
            "[sites] declares no site: give one table per site, e.g. [sites.de.datacenter] and [sites.de.electricity], or remove [sites] for a single-site scenario".into(),
        ));
    }
    Ok((out, true))
}

/// A preset's label names its zone or data centre, not the site: two sites
/// on one preset would show two factors under one name. The site is added
/// ("PUE, hyperscale cloud (site us)"); a label the scenario writes is its
/// own and kept.
fn name_site_in_label(value: &mut ValueSpec, site: &str) {
    if let (Some(label), Some(_)) = (&mut value.meta.label, &value.origin) {
        *label = format!("{label} (site {site})");
    }
}

fn parse_idle(root: &TableNode<'_, '_>) -> Result<Option<IdleSpec>, ScenarioError> {
    let Some(t) = root.sub_table("idle")? else {
        return Ok(None);
    };
    let what = format!("[{}]", t.path);
    t.deny_unknown(&["energy_kwh", "ratio", "source", "note"], &what)?;
    match (optional_value(&t, "energy_kwh")?, optional_value(&t, "ratio")?) {
        (Some(e), None) => Ok(Some(IdleSpec::Energy(e))),
        (None, Some(r)) => Ok(Some(IdleSpec::Ratio(r))),
        _ => Err(t.error(format!(
            "{what} takes exactly one of `energy_kwh` (absolute) or `ratio` (of the runs' facility energy)"
        ))),
    }
}

fn name_ref(t: &TableNode<'_, '_>, key: &str) -> Result<Option<NameRef>, ScenarioError> {
    Ok(t.opt_str(key)?.map(|name| NameRef {
        name,
        path: t.child_path(key),
        span: t.span_of(key),
    }))
}

pub fn parse_defaults(root: &TableNode<'_, '_>) -> Result<DefaultsSpec, ScenarioError> {
    let Some(t) = root.sub_table("defaults")? else {
        return Ok(DefaultsSpec::default());
    };
    t.deny_unknown(&["profile", "load", "site"], "[defaults]")?;
    Ok(DefaultsSpec {
        profile: name_ref(&t, "profile")?,
        site: name_ref(&t, "site")?,
        load: optional_value(&t, "load")?,
    })
}

const PROFILE_KEYS: [&str; 12] = [
    "gpus_per_node",
    "gpu_power_curve",
    "gpu_power_w",
    "power_scale",
    "rest_of_node_w",
    "rest_of_node_ratio",
    "lifetime_years",
    "lifetime_utilisation",
    "load",
    "embodied",
    "source",
    "note",
];

/// A profile's keys as one table gives them (a scenario's, or a preset's),
/// each optional until the scenario's keys are laid over its preset's.
#[derive(Default)]
struct ProfileParts {
    gpus_per_node: Option<ValueSpec>,
    curve: Option<Vec<(f64, ValueSpec)>>,
    per_gpu: Option<ValueSpec>,
    scale: Option<ValueSpec>,
    rest_of_node_w: Option<ValueSpec>,
    rest_of_node_ratio: Option<ValueSpec>,
    lifetime_years: Option<ValueSpec>,
    lifetime_utilisation: Option<ValueSpec>,
    load: Option<ValueSpec>,
    dropped_load: Option<ValueSpec>,
    embodied: Vec<ComponentParts>,
    meta: Meta,
    choices: Vec<ChoiceSpec>,
}

struct ComponentParts {
    name: String,
    path: String,
    span: Range<usize>,
    count: Option<ValueSpec>,
    factors: [Option<ValueSpec>; 4],
}

fn profile_parts(p: &TableNode<'_, '_>) -> Result<ProfileParts, ScenarioError> {
    if p.contains("rest_of_node_w") && p.contains("rest_of_node_ratio") {
        return Err(p.error(
            "a profile gives the rest of the node's power as `rest_of_node_w` or `rest_of_node_ratio`, not both".into(),
        ));
    }
    if p.contains("gpu_power_curve") && p.contains("gpu_power_w") {
        return Err(power_error(p));
    }
    Ok(ProfileParts {
        gpus_per_node: optional_value(p, "gpus_per_node")?,
        curve: parse_curve(p)?,
        per_gpu: optional_value(p, "gpu_power_w")?,
        scale: optional_value(p, "power_scale")?,
        rest_of_node_w: optional_value(p, "rest_of_node_w")?,
        rest_of_node_ratio: optional_value(p, "rest_of_node_ratio")?,
        lifetime_years: optional_value(p, "lifetime_years")?,
        lifetime_utilisation: optional_value(p, "lifetime_utilisation")?,
        load: optional_value(p, "load")?,
        dropped_load: None,
        embodied: parse_embodied(p)?,
        meta: parse_meta(p)?,
        choices: Vec::new(),
    })
}

impl ProfileParts {
    /// Lays the scenario's keys (`own`) over a preset's (`self`). Giving
    /// either GPU power key replaces the preset's GPU power (curve, fixed
    /// figure and scale; a fixed figure also drops the preset's load);
    /// either rest-of-node key replaces the preset's;
    /// an embodied component is laid over the preset's of the same name
    /// key by key.
    fn overlay(mut self, own: ProfileParts) -> ProfileParts {
        if own.curve.is_some() || own.per_gpu.is_some() {
            self.curve = None;
            self.per_gpu = None;
            self.scale = None;
        }
        if own.per_gpu.is_some() {
            // A load only selects a point of a curve.
            self.dropped_load = self.load.take();
        }
        if own.rest_of_node_w.is_some() || own.rest_of_node_ratio.is_some() {
            self.rest_of_node_w = None;
            self.rest_of_node_ratio = None;
        }
        for c in own.embodied {
            match self.embodied.iter_mut().find(|b| b.name == c.name) {
                None => self.embodied.push(c),
                Some(base) => {
                    base.count = overlay(c.count, base.count.take());
                    for (b, o) in base.factors.iter_mut().zip(c.factors) {
                        *b = overlay(o, b.take());
                    }
                }
            }
        }
        ProfileParts {
            gpus_per_node: overlay(own.gpus_per_node, self.gpus_per_node),
            curve: own.curve.or(self.curve),
            per_gpu: overlay(own.per_gpu, self.per_gpu),
            scale: overlay(own.scale, self.scale),
            rest_of_node_w: overlay(own.rest_of_node_w, self.rest_of_node_w),
            rest_of_node_ratio: overlay(own.rest_of_node_ratio, self.rest_of_node_ratio),
            lifetime_years: overlay(own.lifetime_years, self.lifetime_years),
            lifetime_utilisation: overlay(own.lifetime_utilisation, self.lifetime_utilisation),
            load: overlay(own.load, self.load),
            dropped_load: self.dropped_load,
            embodied: self.embodied,
            meta: Meta {
                unit: own.meta.unit.or(self.meta.unit),
                source: own.meta.source.or(self.meta.source),
                note: own.meta.note.or(self.meta.note),
                label: own.meta.label.or(self.meta.label),
            },
            choices: self.choices,
        }
    }

    /// The finished profile; `p` is the scenario's table (for errors about
    /// keys that neither it nor its preset gives).
    fn finish(self, name: &str, p: &TableNode<'_, '_>) -> Result<ProfileSpec, ScenarioError> {
        let what = "a hardware profile";
        let power = match (self.curve, self.per_gpu) {
            (Some(points), None) => PowerSpec::Curve {
                points,
                scale: self.scale,
            },
            (None, Some(w)) => {
                if let Some(scale) = self.scale {
                    return Err(scale.error(
                        p.doc,
                        "`power_scale` applies to `gpu_power_curve` only; scale `gpu_power_w` itself".into(),
                    ));
                }
                PowerSpec::PerGpu(w)
            }
            _ => return Err(power_error(p)),
        };
        let mut embodied = Vec::new();
        for c in self.embodied {
            let count = c.count.ok_or_else(|| {
                p.doc.error_at(
                    &c.span,
                    &c.path,
                    "an embodied component needs the key `count`, which is missing".into(),
                )
            })?;
            embodied.push(ComponentSpec {
                name: c.name,
                count,
                factors: c.factors,
            });
        }
        Ok(ProfileSpec {
            name: name.to_string(),
            path: p.path.clone(),
            span: p.span.clone(),
            gpus_per_node: need(p, self.gpus_per_node, "gpus_per_node", what)?,
            power,
            rest_of_node_w: self.rest_of_node_w,
            rest_of_node_ratio: self.rest_of_node_ratio,
            lifetime_years: need(p, self.lifetime_years, "lifetime_years", what)?,
            lifetime_utilisation: self.lifetime_utilisation,
            load: self.load,
            dropped_load: self.dropped_load,
            embodied,
            meta: self.meta,
            choices: self.choices,
        })
    }
}

fn power_error(p: &TableNode<'_, '_>) -> ScenarioError {
    p.error(
        "a hardware profile gives GPU power as exactly one of `gpu_power_curve` (load → watts points) or `gpu_power_w` (a fixed per-GPU figure)".into(),
    )
}

/// A hardware preset: a profile's keys, a description and the choices its
/// values depend on.
fn hardware_preset(p: &TableNode<'_, '_>) -> Result<ProfileParts, ScenarioError> {
    let mut keys = PROFILE_KEYS.to_vec();
    keys.extend_from_slice(&["description", "choices"]);
    p.deny_unknown(&keys, "a hardware preset")?;
    let mut parts = profile_parts(p)?;
    if let Some(c) = p.sub_table("choices")? {
        parts.choices = parse_choice_table(&c)?;
    }
    Ok(parts)
}

pub fn parse_profiles(root: &TableNode<'_, '_>) -> Result<Vec<ProfileSpec>, ScenarioError> {
    let Some(t) = root.sub_table("profiles")? else {
        return Ok(Vec::new());
    };
    let mut profiles = Vec::new();
    for (name, value) in t.entries() {
        let p = as_table(t.doc, value, t.child_path(name))?;
        let mut keys = PROFILE_KEYS.to_vec();
        keys.push("preset");
        p.deny_unknown(&keys, "a hardware profile")?;
        let own = profile_parts(&p)?;
        let parts = match preset_ref(&p)? {
            None => own,
            Some(r) => {
                with_preset(p.doc, &r, PresetKind::Hardware, &p.path, hardware_preset)?.overlay(own)
            }
        };
        profiles.push(parts.finish(name, &p)?);
    }
    Ok(profiles)
}

/// The points of `gpu_power_curve`, if given, checked.
fn parse_curve(p: &TableNode<'_, '_>) -> Result<Option<Vec<(f64, ValueSpec)>>, ScenarioError> {
    let Some(c) = p.get("gpu_power_curve") else {
        return Ok(None);
    };
    let path = p.child_path("gpu_power_curve");
    let mut points: Vec<(f64, ValueSpec)> = Vec::new();
    for (i, item) in as_array(p.doc, c, &path)?.iter().enumerate() {
        let pt = as_table(p.doc, item, index_path(&path, i))?;
        pt.deny_unknown(&["load", "watts"], "a power-curve point")?;
        let load = as_f64(
            p.doc,
            pt.require("load", "a power-curve point")?,
            &pt.child_path("load"),
        )?;
        let watts = required_value(&pt, "watts", "a power-curve point")?;
        if !(0.0..=1.0).contains(&load) {
            return Err(pt.error(format!(
                "load {load} is not allowed; a load is a fraction in [0, 1]"
            )));
        }
        if let Some((prev, _)) = points.last()
            && load <= *prev
        {
            return Err(pt.error(format!(
                "curve points must have strictly increasing loads; {load} follows {prev}"
            )));
        }
        points.push((load, watts));
    }
    if points.len() < 2 || points[0].0 != 0.0 || points[points.len() - 1].0 != 1.0 {
        return Err(p.doc.error_at(
            &c.span(),
            &path,
            "a GPU power curve needs at least two points, the first at load 0 and the last at load 1".into(),
        ));
    }
    Ok(Some(points))
}

fn parse_embodied(p: &TableNode<'_, '_>) -> Result<Vec<ComponentParts>, ScenarioError> {
    let Some(e) = p.sub_table("embodied")? else {
        return Ok(Vec::new());
    };
    let mut components = Vec::new();
    for (name, value) in e.entries() {
        let c = as_table(e.doc, value, e.child_path(name))?;
        let mut allowed = vec!["count", "source", "note"];
        allowed.extend_from_slice(&EMBODIED_CATEGORIES);
        c.deny_unknown(&allowed, "an embodied component")?;
        let factors = [
            optional_value(&c, "gwp")?,
            optional_value(&c, "pe")?,
            optional_value(&c, "adp")?,
            optional_value(&c, "water")?,
        ];
        components.push(ComponentParts {
            name: name.to_string(),
            path: c.path.clone(),
            span: c.span.clone(),
            count: optional_value(&c, "count")?,
            factors,
        });
    }
    Ok(components)
}

const ROW_KEYS: [&str; 10] = [
    "name",
    "site",
    "tags",
    "gpu_hours",
    "share",
    "it_energy_kwh",
    "profile",
    "load",
    "source",
    "note",
];

pub fn parse_inventory(root: &TableNode<'_, '_>) -> Result<Vec<RowSpec>, ScenarioError> {
    let Some(value) = root.get("inventory") else {
        return Err(root.error(
            "the scenario needs at least one [[inventory]] row (GPU-hours with tags)".into(),
        ));
    };
    let mut rows = Vec::new();
    for (i, item) in as_array(root.doc, value, "inventory")?.iter().enumerate() {
        let r = as_table(root.doc, item, index_path("inventory", i))?;
        let what = "an inventory row";
        r.deny_unknown(&ROW_KEYS, what)?;
        let name = r
            .opt_str("name")?
            .unwrap_or_else(|| format!("row {}", i + 1));
        let mut tags = Vec::new();
        if let Some(t) = r.sub_table("tags")? {
            for (k, v) in t.entries() {
                tags.push((k.to_string(), as_str(t.doc, v, &t.child_path(k))?));
            }
        }
        let direct = optional_value(&r, "gpu_hours")?;
        let hours = match name_ref(&r, "share")? {
            None => direct.map(HoursSpec::Direct),
            Some(share) => {
                let Some((set, key)) = share.name.split_once('.') else {
                    return Err(r.doc.error_at(
                        &share.span,
                        &share.path,
                        format!("`{}` is not of the form \"share_set.key\"", share.name),
                    ));
                };
                Some(HoursSpec::Share {
                    of: direct,
                    key: key.to_string(),
                    set: NameRef {
                        name: set.to_string(),
                        ..share
                    },
                })
            }
        };
        let it_energy_kwh = optional_value(&r, "it_energy_kwh")?;
        if hours.is_none() && it_energy_kwh.is_none() {
            return Err(r.error(
                "an inventory row needs `gpu_hours`, `share = \"set.key\"` or a measured `it_energy_kwh`".into(),
            ));
        }
        rows.push(RowSpec {
            name,
            path: r.path.clone(),
            span: r.span.clone(),
            tags,
            hours,
            it_energy_kwh,
            profile: name_ref(&r, "profile")?,
            load: optional_value(&r, "load")?,
            site: name_ref(&r, "site")?,
        });
    }
    if rows.is_empty() {
        return Err(root.error("`inventory` needs at least one row".into()));
    }
    Ok(rows)
}

pub fn parse_groups(root: &TableNode<'_, '_>) -> Result<Vec<GroupSpec>, ScenarioError> {
    let Some(t) = root.sub_table("groups")? else {
        return Ok(Vec::new());
    };
    let mut groups = Vec::new();
    for (name, value) in t.entries() {
        let path = t.child_path(name);
        let items = as_array(t.doc, value, &path)?;
        if items.is_empty() {
            return Err(t.doc.error_at(
                &value.span(),
                &path,
                "a group lists at least one factor name".into(),
            ));
        }
        let members = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let member_path = index_path(&path, i);
                Ok(NameRef {
                    name: as_str(t.doc, v, &member_path)?,
                    path: member_path,
                    span: v.span(),
                })
            })
            .collect::<Result<_, ScenarioError>>()?;
        groups.push(GroupSpec {
            name: name.to_string(),
            members,
            path,
            span: value.span(),
        });
    }
    Ok(groups)
}
