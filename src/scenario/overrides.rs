//! What-if overrides: `--set KEY=VALUE` on the command line.
//!
//! KEY is a value as `ecoband check` lists it (a named parameter, a key path
//! such as `datacenter.pue` or `profiles.dgx_h100.lifetime_years`, an
//! inventory row by index or by name, `inventory."all runs".gpu_hours`), a
//! share set's `concentration`, any other key the file writes
//! (`conventions.apply_pue`), or a preset swap (`electricity.preset`,
//! `datacenter.preset`, `profiles.NAME.preset`). VALUE is written in the
//! scenario file's own value syntax (`1.4`, `{ dist = "triangular", … }`,
//! `{ value = 3, unit = "yr" }`; a bare word is a string).
//!
//! An override is applied to the file's text, not to parsed values: the key
//! is written into a copy of the document (a value that comes from a preset
//! is first copied from the preset into the scenario, where a key beside
//! `preset` overrides the preset's), and the copy is parsed and checked
//! exactly like a file. So an override is validated by the same code, with
//! the same messages, as the file itself; errors on lines the override
//! wrote name the `--set` argument, errors elsewhere keep the file's lines.

use std::fmt;
use std::sync::Arc;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::preset::{PresetUse, names as preset_names};
use super::{
    HoursSpec, IdleSpec, ModelSpec, PowerSpec, Scenario, ScenarioError, ValueKind, ValueSpec,
};
use crate::presets::PresetKind;

/// One `--set KEY=VALUE` as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The key as typed.
    pub key: String,
    /// The value as typed, in the scenario's value syntax.
    pub value: String,
    /// The option that gave it (`--set`, or `--set-b` of `compare`).
    pub flag: &'static str,
    segments: Vec<Segment>,
}

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Override {
    /// Splits `KEY=VALUE` at the first `=` outside quotes.
    pub fn parse(arg: &str) -> Result<Override, String> {
        let mut quoted = false;
        let split = arg.char_indices().find(|&(_, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            c == '=' && !quoted
        });
        let example = "e.g. --set datacenter.pue=1.4 or --set electricity.preset=DEU";
        let Some((at, _)) = split else {
            return Err(format!("--set `{arg}`: expected KEY=VALUE, {example}"));
        };
        let (key, value) = (arg[..at].trim(), arg[at + 1..].trim());
        if key.is_empty() || value.is_empty() {
            return Err(format!(
                "--set `{arg}`: both KEY and VALUE are needed, {example}"
            ));
        }
        let segments = parse_key(key).map_err(|m| format!("--set `{arg}`: {m}"))?;
        Ok(Override {
            key: key.to_string(),
            value: value.to_string(),
            flag: "--set",
            segments,
        })
    }

    /// The same override, as given by another option (for messages).
    pub fn given_as(self, flag: &'static str) -> Self {
        Override { flag, ..self }
    }

    /// The argument in canonical form, as results record it.
    pub fn canonical(&self) -> String {
        format!("{}={}", render(&self.segments), self.value)
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}={}", self.flag, self.key, self.value)
    }
}

/// `a.b."c d"[0].e` → segments.
fn parse_key(key: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut chars = key.chars().peekable();
    let bad = |why: &str| {
        format!(
            "malformed key `{key}`: {why}; keys are written as `ecoband check` lists them, e.g. datacenter.pue, inventory.\"all runs\".gpu_hours, profiles.dgx_h100.gpu_power_curve[0].watts"
        )
    };
    let mut expect_key = true;
    while let Some(&c) = chars.peek() {
        match c {
            '.' if !expect_key => {
                chars.next();
                expect_key = true;
            }
            '[' => {
                chars.next();
                let digits: String = chars.by_ref().take_while(|c| *c != ']').collect();
                let index = digits
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| bad("an index is a number in brackets, e.g. [0]"))?;
                segments.push(Segment::Index(index));
                expect_key = false;
            }
            '"' if expect_key => {
                chars.next();
                let mut name = String::new();
                loop {
                    match chars.next() {
                        None => return Err(bad("unclosed quote")),
                        Some('"') => break,
                        Some(c) => name.push(c),
                    }
                }
                segments.push(Segment::Key(name));
                expect_key = false;
            }
            _ if expect_key && is_bare(c) => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if !is_bare(c) {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                segments.push(Segment::Key(name));
                expect_key = false;
            }
            _ => return Err(bad(&format!("unexpected `{c}`"))),
        }
    }
    if expect_key {
        return Err(bad("it ends where a key is expected"));
    }
    Ok(segments)
}

fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn render(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        match s {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if !k.is_empty() && k.chars().all(is_bare) {
                    out.push_str(k);
                } else {
                    out.push_str(&format!("\"{k}\""));
                }
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn key(k: &str) -> Segment {
    Segment::Key(k.to_string())
}

fn path(parts: &[&str]) -> Vec<Segment> {
    parts.iter().map(|p| key(p)).collect()
}

fn child(base: &[Segment], more: &[Segment]) -> Vec<Segment> {
    base.iter().chain(more).cloned().collect()
}

/// A value of the scenario that `--set` can replace.
struct Target {
    /// Where the value is written in the scenario document.
    segments: Vec<Segment>,
    /// Other spellings: a parameter by its bare name, a row by its name.
    aliases: Vec<Vec<Segment>>,
    /// The preset the value comes from, if the file does not write it.
    preset: Option<Arc<PresetUse>>,
    /// For a choice's `weights` or `nominal`: the choice's name, so that a
    /// preset's choice is copied whole into the scenario's `[choices]`.
    choice: Option<String>,
}

/// Every value of a parsed scenario, with where it is written.
fn targets(scenario: &Scenario) -> Vec<Target> {
    let mut out = Vec::new();
    for (name, spec) in &scenario.parameters {
        add_value(
            &mut out,
            path(&["parameters", name]),
            vec![vec![key(name)]],
            spec,
        );
    }
    for set in &scenario.share_sets {
        let base = path(&["shares", &set.name]);
        let alias = vec![key(&set.name), key("concentration")];
        out.push(Target {
            segments: child(&base, &[key("concentration")]),
            aliases: vec![alias],
            preset: None,
            choice: None,
        });
        if let Some(total) = &set.total {
            add_value(&mut out, child(&base, &[key("total")]), Vec::new(), total);
        }
        for k in &set.keys {
            out.push(Target {
                segments: child(&base, &[key("shares"), key(k)]),
                aliases: Vec::new(),
                preset: None,
                choice: None,
            });
        }
    }
    for c in &scenario.choices {
        for k in ["weights", "nominal"] {
            out.push(Target {
                segments: path(&["choices", &c.name, k]),
                aliases: vec![path(&[&c.name, k])],
                preset: c.origin.clone(),
                choice: Some(c.name.clone()),
            });
        }
    }
    let ModelSpec::Footprint(f) = &scenario.model else {
        return out;
    };
    for site in &f.sites {
        // The implicit site's sections are top-level tables.
        let base = match site.name.as_str() {
            "" => Vec::new(),
            name => path(&["sites", name]),
        };
        let mut value =
            |k: &[&str], v: &ValueSpec| add_value(&mut out, child(&base, &path(k)), Vec::new(), v);
        let (d, e) = (&site.datacenter, &site.electricity);
        value(&["datacenter", "pue"], &d.pue);
        value(&["datacenter", "wue_onsite"], &d.wue_onsite);
        value(&["electricity", "gwp"], &e.gwp);
        value(&["electricity", "pe"], &e.pe);
        value(&["electricity", "adp"], &e.adp);
        value(&["electricity", "water"], &e.water);
        match &site.idle {
            Some(IdleSpec::Energy(v)) => value(&["idle", "energy_kwh"], v),
            Some(IdleSpec::Ratio(v)) => value(&["idle", "ratio"], v),
            None => {}
        }
    }
    if let Some(v) = &f.defaults.load {
        add_value(&mut out, path(&["defaults", "load"]), Vec::new(), v);
    }
    for p in &f.profiles {
        let base = path(&["profiles", &p.name]);
        let mut value =
            |k: &[Segment], v: &ValueSpec| add_value(&mut out, child(&base, k), Vec::new(), v);
        value(&[key("gpus_per_node")], &p.gpus_per_node);
        match &p.power {
            PowerSpec::Curve { points, scale } => {
                for (i, (_, w)) in points.iter().enumerate() {
                    value(
                        &[key("gpu_power_curve"), Segment::Index(i), key("watts")],
                        w,
                    );
                }
                if let Some(s) = scale {
                    value(&[key("power_scale")], s);
                }
            }
            PowerSpec::PerGpu(w) => value(&[key("gpu_power_w")], w),
        }
        let optional = [
            ("rest_of_node_w", &p.rest_of_node_w),
            ("rest_of_node_ratio", &p.rest_of_node_ratio),
            ("lifetime_utilisation", &p.lifetime_utilisation),
            ("load", &p.load),
        ];
        value(&[key("lifetime_years")], &p.lifetime_years);
        for (k, v) in optional {
            if let Some(v) = v {
                value(&[key(k)], v);
            }
        }
        for c in &p.embodied {
            let at = |k: &str| vec![key("embodied"), key(&c.name), key(k)];
            value(&at("count"), &c.count);
            for (k, v) in super::EMBODIED_CATEGORIES.iter().zip(&c.factors) {
                if let Some(v) = v {
                    value(&at(k), v);
                }
            }
        }
    }
    for (i, row) in f.inventory.iter().enumerate() {
        let base = vec![key("inventory"), Segment::Index(i)];
        let by_name = vec![key("inventory"), key(&row.name)];
        let mut value = |k: &str, v: &ValueSpec| {
            add_value(
                &mut out,
                child(&base, &[key(k)]),
                vec![child(&by_name, &[key(k)])],
                v,
            )
        };
        match &row.hours {
            Some(HoursSpec::Direct(v)) | Some(HoursSpec::Share { of: Some(v), .. }) => {
                value("gpu_hours", v)
            }
            _ => {}
        }
        if let Some(v) = &row.it_energy_kwh {
            value("it_energy_kwh", v);
        }
        if let Some(v) = &row.load {
            value("load", v);
        }
    }
    out
}

/// A value, and each option of a value that depends on a choice.
fn add_value(
    out: &mut Vec<Target>,
    segments: Vec<Segment>,
    aliases: Vec<Vec<Segment>>,
    spec: &ValueSpec,
) {
    if let ValueKind::Choice { options, .. } = &spec.kind {
        for (name, option) in options {
            add_value(
                out,
                child(&segments, &[key("values"), key(name)]),
                Vec::new(),
                option,
            );
        }
    }
    out.push(Target {
        segments,
        aliases,
        preset: spec.origin.clone(),
        choice: None,
    });
}

/// Keys a file may omit that an override may still write.
const OPTIONAL_KEYS: [&str; 2] = ["conventions.apply_pue", "conventions.water_formula"];

/// A scenario with overrides applied, and how to report on it.
pub struct Applied {
    pub scenario: Scenario,
    /// What an override dropped or replaced (shown as notes).
    pub notes: Vec<String>,
    lines: LineMap,
    file: String,
    overrides: Vec<(Vec<Segment>, String)>,
}

impl Applied {
    /// An error about the overridden scenario as the user wrote it: lines of
    /// the file keep their numbers; a line an override wrote names the
    /// `--set` argument instead.
    pub fn map_error(&self, mut e: ScenarioError) -> ScenarioError {
        if e.file != self.file {
            return e;
        }
        match self.lines.original(e.line) {
            Some(line) => {
                e.line = line;
                let all: Vec<&str> = self.overrides.iter().map(|(_, a)| a.as_str()).collect();
                e.message = format!("{} (with {})", e.message, all.join(", "));
            }
            None => {
                let owner = self
                    .overrides
                    .iter()
                    .rev()
                    .find(|(segments, _)| e.key_path.starts_with(&render(segments)))
                    .or(self.overrides.last())
                    .map(|(_, arg)| arg.clone())
                    .unwrap_or_default();
                e.file = owner;
                e.line = 0;
                e.column = 0;
            }
        }
        e
    }

    /// A line of the overridden text as a line of the file (None: written by
    /// an override).
    pub fn original_line(&self, line: usize) -> Option<usize> {
        self.lines.original(line)
    }
}

/// Applies `overrides` in order to the scenario `base` (parsed from its
/// file); the result is parsed and checked like a file.
pub fn apply(base: &Scenario, overrides: &[Override]) -> Result<Applied, ScenarioError> {
    let mut doc: DocumentMut = base.text.parse().map_err(|e| ScenarioError {
        file: base.path.clone(),
        line: 0,
        column: 0,
        key_path: String::new(),
        message: format!("cannot read the file for --set: {e}"),
    })?;
    let mut index = targets(base);
    let mut notes = Vec::new();
    // Where each override wrote, as resolved (an alias such as a row's
    // name becomes the row's path): to refuse a key set twice and to name
    // the right `--set` in an error.
    let mut written: Vec<(Vec<Segment>, &Override)> = Vec::new();
    for o in overrides {
        let fail = |message: String| ScenarioError {
            file: o.to_string(),
            line: 0,
            column: 0,
            key_path: render(&o.segments),
            message,
        };
        let (at, swapped) = apply_one(&mut doc, &index, o, &mut notes).map_err(fail)?;
        if let Some((_, first)) = written.iter().find(|(w, _)| *w == at) {
            // Name the common target when either key reached it by an alias.
            let aliased = [&o.segments, &first.segments]
                .iter()
                .any(|s| render(s) != render(&at));
            return Err(fail(format!(
                "already set by {first}{}; give each key once (the last would silently win)",
                if aliased {
                    format!(" (both write `{}`)", render(&at))
                } else {
                    String::new()
                }
            )));
        }
        written.push((at, o));
        // A swapped preset brings its own values: later keys resolve
        // against the scenario as it now is.
        if swapped && let Ok(now) = Scenario::parse(&base.path, &doc.to_string()) {
            index = targets(&now);
        }
    }
    let text = doc.to_string();
    let lines = LineMap::new(&base.text, &text);
    let mut applied = Applied {
        scenario: base.clone(),
        notes,
        lines,
        file: base.path.clone(),
        overrides: written
            .into_iter()
            .map(|(at, o)| (at, o.to_string()))
            .collect(),
    };
    let mut scenario = Scenario::parse(&base.path, &text).map_err(|e| applied.map_error(e))?;
    scenario.sha256 = base.sha256.clone();
    scenario.overrides = overrides.iter().map(Override::canonical).collect();
    applied.scenario = scenario;
    Ok(applied)
}

/// Applies one override; returns where it wrote and whether it swapped a
/// preset.
fn apply_one(
    doc: &mut DocumentMut,
    index: &[Target],
    o: &Override,
    notes: &mut Vec<String>,
) -> Result<(Vec<Segment>, bool), String> {
    let wanted = render(&o.segments);
    let matches: Vec<&Target> = index
        .iter()
        .filter(|t| render(&t.segments) == wanted || t.aliases.iter().any(|a| render(a) == wanted))
        .collect();
    if let [_, _, ..] = matches.as_slice() {
        let paths: Vec<String> = matches.iter().map(|t| render(&t.segments)).collect();
        return Err(format!(
            "`{wanted}` names {} values ({}): two inventory rows share a name; set one by its index",
            paths.len(),
            paths.join(", ")
        ));
    }
    if let Some(t) = matches.first() {
        let value = parse_value(&o.value)?;
        match (&t.preset, &t.choice) {
            (Some(preset), Some(choice)) => copy_choice(doc, preset, choice)?,
            (Some(preset), None) => copy_from_preset(doc, preset, &t.segments)?,
            _ => {}
        }
        set(doc.as_item_mut(), &t.segments, value)?;
        return Ok((t.segments.clone(), false));
    }
    if let Some((Segment::Key(last), section)) = o.segments.split_last()
        && last == "preset"
        && let Some(kind) = preset_section(doc, section)
    {
        swap_preset(doc, section, kind, &o.value, notes)?;
        return Ok((o.segments.clone(), true));
    }
    let exists = lookup(doc.as_item(), &o.segments).is_some_and(|i| i.is_value());
    if exists || OPTIONAL_KEYS.contains(&wanted.as_str()) {
        set(doc.as_item_mut(), &o.segments, parse_value(&o.value)?)?;
        return Ok((o.segments.clone(), false));
    }
    let known = known_keys(doc, index);
    // A key the file omits but its table may hold (a row's `load`): the
    // parser then checks it like a key of the file, naming the allowed
    // ones. A key close to a known one is more likely a typo.
    let parent_is_table =
        o.segments.len() > 1 && is_table(doc.as_item(), &o.segments[..o.segments.len() - 1]);
    if parent_is_table && suggest(&wanted, &known).is_none() {
        set(doc.as_item_mut(), &o.segments, parse_value(&o.value)?)?;
        return Ok((o.segments.clone(), false));
    }
    if let Some(set) = index.iter().find_map(|t| match t.segments.as_slice() {
        [Segment::Key(s), Segment::Key(name), Segment::Key(k)]
            if s == "shares" && k == "concentration" && *name == wanted =>
        {
            Some(name)
        }
        _ => None,
    }) {
        return Err(format!(
            "`{set}` is a share set, not one value: set its `{set}.concentration`, its `shares.{set}.total` or one share `shares.{set}.shares.KEY`"
        ));
    }
    if let Some(choice) = index
        .iter()
        .find_map(|t| t.choice.as_ref().filter(|c| **c == wanted))
    {
        return Err(format!(
            "`{choice}` is a choice, not one value: set its `{choice}.weights` (e.g. [0, 1] to keep one option) or `{choice}.nominal` (the baseline's option)"
        ));
    }
    Err(unknown_key(&known, &wanted))
}

/// Every key `--set` takes on this scenario.
fn known_keys(doc: &DocumentMut, index: &[Target]) -> Vec<String> {
    let mut known: Vec<String> = index
        .iter()
        .flat_map(|t| std::iter::once(&t.segments).chain(&t.aliases))
        .map(|s| render(s))
        .collect();
    leaves(doc.as_item(), &mut Vec::new(), &mut known);
    known.extend(OPTIONAL_KEYS.iter().map(|k| k.to_string()));
    for section in preset_sections(doc) {
        known.push(render(&child(&section, &[key("preset")])));
    }
    known
}

/// "did you mean …" among the keys `--set` takes.
fn unknown_key(known: &[String], wanted: &str) -> String {
    let hint = match suggest(wanted, known) {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    };
    format!(
        "unknown key `{wanted}`: the scenario has no such value{hint} (`ecoband check` lists every value by the key --set takes; `SECTION.preset=NAME` swaps a preset)"
    )
}

/// The closest candidate by edit distance, if it is close enough to be a
/// plausible typo (a third of the typed key's length, at least 2 edits).
pub fn suggest<'a>(wanted: &str, known: &'a [String]) -> Option<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(wanted, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Key paths of every value written in the document.
fn leaves(item: &Item, at: &mut Vec<Segment>, out: &mut Vec<String>) {
    if let Some(t) = item.as_table_like() {
        for (k, v) in t.iter() {
            at.push(key(k));
            leaves(v, at, out);
            at.pop();
        }
    } else if item.is_value() && !at.is_empty() {
        out.push(render(at));
    }
}

/// The preset kind a section takes, if `section` is one that exists.
fn preset_section(doc: &DocumentMut, section: &[Segment]) -> Option<PresetKind> {
    let kind = match section {
        [Segment::Key(s)] | [Segment::Key(_), Segment::Key(_), Segment::Key(s)]
            if s == "electricity" && in_site(section) =>
        {
            PresetKind::Electricity
        }
        [Segment::Key(s)] | [Segment::Key(_), Segment::Key(_), Segment::Key(s)]
            if s == "datacenter" && in_site(section) =>
        {
            PresetKind::Datacenter
        }
        [Segment::Key(s), Segment::Key(_)] if s == "profiles" => PresetKind::Hardware,
        _ => return None,
    };
    lookup(doc.as_item(), section)
        .is_some_and(|i| i.is_table_like())
        .then_some(kind)
}

/// Whether a three-part section (`sites.NAME.electricity`) lies in a site;
/// a one-part section is the implicit site's.
fn in_site(section: &[Segment]) -> bool {
    section.len() == 1 || matches!(&section[0], Segment::Key(s) if s == "sites")
}

fn preset_sections(doc: &DocumentMut) -> Vec<Vec<Segment>> {
    let mut out = vec![path(&["electricity"]), path(&["datacenter"])];
    if let Some(sites) = doc.get("sites").and_then(Item::as_table_like) {
        for (name, _) in sites.iter() {
            out.push(path(&["sites", name, "electricity"]));
            out.push(path(&["sites", name, "datacenter"]));
        }
    }
    if let Some(p) = doc.get("profiles").and_then(Item::as_table_like) {
        out.extend(p.iter().map(|(name, _)| path(&["profiles", name])));
    }
    out.retain(|s| preset_section(doc, s).is_some());
    out
}

/// `SECTION.preset = NAME`: the section is now that preset; the keys the
/// file wrote in it are dropped (and listed in a note), so that moving a
/// cluster to another grid moves every factor of that grid.
fn swap_preset(
    doc: &mut DocumentMut,
    section: &[Segment],
    kind: PresetKind,
    name: &str,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let name = name.trim_matches('"');
    let known = preset_names(kind).map_err(|e| e.to_string())?;
    if !known.iter().any(|k| k == name) {
        let hint = match suggest(name, &known) {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        return Err(format!(
            "`{name}` is not {} preset; {hint}known: {} (`ecoband presets` lists them)",
            kind_article(kind),
            known.join(", ")
        ));
    }
    let shown = render(section);
    let table = lookup_mut(doc.as_item_mut(), section)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| format!("`{shown}` is not a table"))?;
    let dropped: Vec<String> = table
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| k != "preset")
        .collect();
    for k in &dropped {
        table.remove(k);
    }
    table.insert("preset", Item::Value(Value::from(name)));
    if !dropped.is_empty() {
        notes.push(format!(
            "--set {shown}.preset={name}: [{shown}] is now preset `{name}`; the file's own {} dropped",
            dropped
                .iter()
                .map(|k| format!("`{shown}.{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
                + if dropped.len() == 1 { " is" } else { " are" }
        ));
    }
    Ok(())
}

fn kind_article(kind: PresetKind) -> String {
    let name = kind.name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// VALUE in the scenario's value syntax; a bare word is a string.
fn parse_value(text: &str) -> Result<Value, String> {
    match text.parse::<Value>() {
        Ok(v) => Ok(v),
        Err(e) => {
            if text.chars().all(|c| is_bare(c) || c == '.') && !text.is_empty() {
                return Ok(Value::from(text));
            }
            Err(format!(
                "`{text}` is not a value in the scenario syntax ({}); write it as in the file, e.g. 1.4, \"DEU\", {{ value = 3, unit = \"yr\" }} or {{ dist = \"triangular\", min = 1.1, mode = 1.2, max = 1.6 }}",
                e.to_string().lines().next().unwrap_or("parse error").trim()
            ))
        }
    }
}

/// How deep below the preset's place in the scenario a value is replaced
/// as a whole when the scenario writes it: a section key (`gwp`), a profile
/// key (`gpu_power_curve`), or an embodied component's key
/// (`embodied.gpu.gwp`).
fn overlay_depth(preset: &PresetUse, segments: &[Segment]) -> usize {
    let prefix = preset.scenario_prefix.split('.').count();
    match segments.get(prefix) {
        Some(Segment::Key(k)) if k == "embodied" => prefix + 3,
        _ => prefix + 1,
    }
}

/// Copies the part of a preset that the scenario must write whole for one
/// of its inner values to be replaced (a choice's values, a power curve),
/// unless the scenario already writes it.
fn copy_from_preset(
    doc: &mut DocumentMut,
    preset: &PresetUse,
    segments: &[Segment],
) -> Result<(), String> {
    let depth = overlay_depth(preset, segments).min(segments.len());
    if depth == segments.len() || lookup(doc.as_item(), &segments[..depth]).is_some() {
        return Ok(());
    }
    let source: DocumentMut = preset
        .text
        .parse()
        .map_err(|e| format!("cannot read preset `{}`: {e}", preset.name))?;
    let prefix = preset.scenario_prefix.split('.').count();
    let in_preset = |rest: &[Segment]| child(&[key(&preset.name)], rest);
    let unit = lookup(source.as_item(), &in_preset(&segments[prefix..depth]))
        .ok_or_else(|| {
            format!(
                "preset `{}` has no `{}`",
                preset.name,
                render(&segments[prefix..depth])
            )
        })?
        .clone();
    set_item(doc.as_item_mut(), &segments[..depth], unit)?;
    // A curve written in the scenario replaces the preset's scale with it.
    if let Some(Segment::Key(k)) = segments.get(prefix)
        && k == "gpu_power_curve"
    {
        let scale = child(&segments[..prefix], &[key("power_scale")]);
        if lookup(doc.as_item(), &scale).is_none()
            && let Some(s) = lookup(source.as_item(), &in_preset(&[key("power_scale")]))
        {
            set_item(doc.as_item_mut(), &scale, s.clone())?;
        }
    }
    Ok(())
}

/// A choice a hardware preset declares, copied whole into the scenario's
/// `[choices]` (where a choice of the same name wins over the preset's),
/// unless the scenario already declares it.
fn copy_choice(doc: &mut DocumentMut, preset: &PresetUse, name: &str) -> Result<(), String> {
    let at = path(&["choices", name]);
    if lookup(doc.as_item(), &at).is_some() {
        return Ok(());
    }
    let source: DocumentMut = preset
        .text
        .parse()
        .map_err(|e| format!("cannot read preset `{}`: {e}", preset.name))?;
    let choice = lookup(source.as_item(), &path(&[&preset.name, "choices", name]))
        .ok_or_else(|| format!("preset `{}` has no choice `{name}`", preset.name))?
        .clone();
    if doc.get("choices").is_none() {
        doc.insert("choices", Item::Table(Table::new()));
    }
    set_item(doc.as_item_mut(), &at, choice)
}

fn lookup<'a>(item: &'a Item, segments: &[Segment]) -> Option<&'a Item> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(item);
    };
    let next = match (item, first) {
        (Item::ArrayOfTables(a), Segment::Index(i)) => {
            return a.get(*i).and_then(|t| lookup_table(t, rest));
        }
        (Item::ArrayOfTables(a), Segment::Key(name)) => {
            return row_by_name(a.iter(), name).and_then(|t| lookup_table(t, rest));
        }
        (Item::Value(v), _) => return lookup_value(v, segments).map(|_| item),
        (_, Segment::Key(k)) => item.as_table_like()?.get(k)?,
        _ => return None,
    };
    lookup(next, rest)
}

/// Whether `segments` leads to a table (a row of an array of tables too).
fn is_table(item: &Item, segments: &[Segment]) -> bool {
    match (item, segments) {
        (Item::ArrayOfTables(a), [Segment::Index(i)]) => *i < a.len(),
        (Item::ArrayOfTables(a), [Segment::Key(name)]) => row_by_name(a.iter(), name).is_some(),
        (Item::ArrayOfTables(a), [Segment::Index(i), rest @ ..]) => {
            a.get(*i).is_some_and(|t| is_table_in(t, rest))
        }
        (Item::ArrayOfTables(a), [Segment::Key(name), rest @ ..]) => {
            row_by_name(a.iter(), name).is_some_and(|t| is_table_in(t, rest))
        }
        (_, []) => item.is_table_like(),
        (_, [Segment::Key(k), rest @ ..]) => item
            .as_table_like()
            .and_then(|t| t.get(k))
            .is_some_and(|i| is_table(i, rest)),
        _ => false,
    }
}

fn is_table_in(t: &Table, segments: &[Segment]) -> bool {
    match segments.split_first() {
        None => true,
        Some((Segment::Key(k), rest)) => t.get(k).is_some_and(|i| is_table(i, rest)),
        Some(_) => false,
    }
}

fn lookup_table<'a>(t: &'a Table, segments: &[Segment]) -> Option<&'a Item> {
    let (first, rest) = segments.split_first()?;
    match first {
        Segment::Key(k) => lookup(t.get(k)?, rest),
        Segment::Index(_) => None,
    }
}

fn lookup_value<'a>(v: &'a Value, segments: &[Segment]) -> Option<&'a Value> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(v);
    };
    match (v, first) {
        (Value::InlineTable(t), Segment::Key(k)) => lookup_value(t.get(k)?, rest),
        (Value::Array(a), Segment::Index(i)) => lookup_value(a.get(*i)?, rest),
        _ => None,
    }
}

fn row_by_name<'a>(mut rows: impl Iterator<Item = &'a Table>, name: &str) -> Option<&'a Table> {
    rows.find(|t| t.get("name").and_then(Item::as_str) == Some(name))
}

fn lookup_mut<'a>(item: &'a mut Item, segments: &[Segment]) -> Option<&'a mut Item> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(item);
    };
    match (item, first) {
        (Item::Table(t), Segment::Key(k)) => lookup_mut(t.get_mut(k)?, rest),
        _ => None,
    }
}

/// Writes `value` at `segments`, creating the tables on the way (as dotted
/// keys of the table that holds them).
fn set(item: &mut Item, segments: &[Segment], value: Value) -> Result<(), String> {
    set_item(item, segments, Item::Value(value))
}

fn set_item(item: &mut Item, segments: &[Segment], new: Item) -> Result<(), String> {
    let Some((first, rest)) = segments.split_first() else {
        replace(item, new);
        return Ok(());
    };
    match item {
        Item::Value(v) => {
            let new = new
                .into_value()
                .map_err(|_| "a table cannot be written inside an inline value".to_string())?;
            set_value(v, segments, new)
        }
        Item::Table(t) => match first {
            Segment::Key(k) => {
                if !t.contains_key(k) {
                    if rest.is_empty() {
                        t.insert(k, new);
                        return Ok(());
                    }
                    let mut sub = Table::new();
                    sub.set_dotted(true);
                    t.insert(k, Item::Table(sub));
                }
                let slot = t.get_mut(k).ok_or("key vanished")?;
                set_item(slot, rest, new)
            }
            Segment::Index(i) => Err(format!("[{i}] indexes an array, but this is a table")),
        },
        Item::ArrayOfTables(a) => {
            let len = a.len();
            let table = match first {
                Segment::Index(i) => a
                    .get_mut(*i)
                    .ok_or_else(|| format!("index [{i}] is past the {len} rows"))?,
                Segment::Key(name) => a
                    .iter_mut()
                    .find(|t| t.get("name").and_then(Item::as_str) == Some(name.as_str()))
                    .ok_or_else(|| format!("no row is named `{name}`"))?,
            };
            let mut wrapped = Item::Table(std::mem::take(table));
            let result = set_item(&mut wrapped, rest, new);
            if let Item::Table(t) = wrapped {
                *table = t;
            }
            result
        }
        Item::None => Err("there is nothing here to write into".into()),
    }
}

fn set_value(v: &mut Value, segments: &[Segment], new: Value) -> Result<(), String> {
    let Some((first, rest)) = segments.split_first() else {
        let decor = v.decor().clone();
        *v = new;
        *v.decor_mut() = decor;
        return Ok(());
    };
    match (v, first) {
        (Value::InlineTable(t), Segment::Key(k)) => {
            if !t.contains_key(k) {
                if rest.is_empty() {
                    t.insert(k, new);
                    return Ok(());
                }
                let mut sub = InlineTable::new();
                sub.set_dotted(true);
                t.insert(k, Value::InlineTable(sub));
            }
            set_value(t.get_mut(k).ok_or("key vanished")?, rest, new)
        }
        (Value::Array(a), Segment::Index(i)) => {
            let len = a.len();
            let slot = a
                .get_mut(*i)
                .ok_or_else(|| format!("index [{i}] is past the {len} elements"))?;
            set_value(slot, rest, new)
        }
        (other, s) => Err(format!(
            "cannot go into `{}` of a {}",
            render(std::slice::from_ref(s)),
            other.type_name()
        )),
    }
}

/// Replaces a value, keeping the spacing around it.
fn replace(item: &mut Item, new: Item) {
    match (item.as_value_mut(), new) {
        (Some(old), Item::Value(mut v)) => {
            *v.decor_mut() = old.decor().clone();
            *old = v;
        }
        (_, new) => *item = new,
    }
}

/// Lines of the overridden text mapped back to the file's (a longest
/// common subsequence of lines: the overrides change or add a few).
struct LineMap {
    original: Vec<Option<usize>>,
}

impl LineMap {
    fn new(before: &str, after: &str) -> Self {
        let a: Vec<&str> = before.lines().collect();
        let b: Vec<&str> = after.lines().collect();
        // Overrides touch a few lines: the common head and tail map
        // directly, and the quadratic table covers only the middle.
        let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let tail = a[head..]
            .iter()
            .rev()
            .zip(b[head..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let (a_mid, b_mid) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
        let (n, m) = (a_mid.len(), b_mid.len());
        // lcs[i][j]: longest common subsequence of a_mid[i..] and b_mid[j..].
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if a_mid[i] == b_mid[j] {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let mut original: Vec<Option<usize>> = (1..=head).map(Some).collect();
        original.resize(head + m, None);
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if a_mid[i] == b_mid[j] {
                original[head + j] = Some(head + i + 1);
                i += 1;
                j += 1;
            } else if lcs[i + 1][j] >= lcs[i][j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
        original.extend((0..tail).map(|k| Some(a.len() - tail + k + 1)));
        LineMap { original }
    }

    /// The file's line for a 1-based line of the overridden text.
    fn original(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|l| self.original.get(l).copied().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_render_canonically() {
        let o = Override::parse("inventory.\"all runs\".gpu_hours = 3").unwrap();
        assert_eq!(o.canonical(), "inventory.\"all runs\".gpu_hours=3");
        let o = Override::parse("profiles.x.gpu_power_curve[0].watts={ value = 60 }").unwrap();
        assert_eq!(
            o.segments,
            vec![
                key("profiles"),
                key("x"),
                key("gpu_power_curve"),
                Segment::Index(0),
                key("watts")
            ]
        );
        assert_eq!(o.value, "{ value = 60 }");
        for bad in ["pue", "=1", "a.=1", "a..b=1", "a[x]=1", "\"a=1"] {
            assert!(Override::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn line_map_follows_changed_and_inserted_lines() {
        let m = LineMap::new("a\nb\nc\n", "a\nB\nb\nc\n");
        assert_eq!(
            (1..=4).map(|l| m.original(l)).collect::<Vec<_>>(),
            vec![Some(1), None, Some(2), Some(3)]
        );
    }

    #[test]
    fn suggestions_are_close_and_only_close() {
        let known = vec!["datacenter.pue".to_string(), "electricity.gwp".to_string()];
        assert_eq!(suggest("datacenter.peu", &known), Some("datacenter.pue"));
        assert_eq!(suggest("something.else", &known), None);
    }
}
