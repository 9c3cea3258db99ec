//! The output vector of one model evaluation: for each impact category, the
//! total, its split by scope and by each tag value of the inventory.

/// Impact categories, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
}

pub const CATEGORIES: [Category; 5] = [
    Category {
        id: "gwp",
        name: "global warming potential",
        unit: "kgCO2e",
    },
    Category {
        id: "pe",
        name: "primary energy",
        unit: "MJ",
    },
    Category {
        id: "water",
        name: "water consumption",
        unit: "L",
    },
    Category {
        id: "adp",
        name: "abiotic depletion (ADPe)",
        unit: "kgSbeq",
    },
    Category {
        id: "energy_kwh",
        name: "facility energy",
        unit: "kWh",
    },
];

impl Category {
    /// Units a threshold on this category may be written in, with the
    /// factor to the canonical unit; the first is canonical.
    fn units(&self) -> &'static [(&'static str, f64)] {
        match self.unit {
            "kgCO2e" => &[
                ("kgCO2e", 1.0),
                ("kg", 1.0),
                ("tCO2e", 1e3),
                ("t", 1e3),
                ("ktCO2e", 1e6),
                ("kt", 1e6),
                ("gCO2e", 1e-3),
                ("g", 1e-3),
            ],
            "MJ" => &[
                ("MJ", 1.0),
                ("GJ", 1e3),
                ("TJ", 1e6),
                ("kWh", 3.6),
                ("MWh", 3.6e3),
                ("GWh", 3.6e6),
            ],
            "L" => &[("L", 1.0), ("m3", 1e3), ("m³", 1e3), ("ML", 1e6)],
            "kgSbeq" => &[
                ("kgSbeq", 1.0),
                ("kg", 1.0),
                ("gSbeq", 1e-3),
                ("g", 1e-3),
                ("mgSbeq", 1e-6),
                ("mg", 1e-6),
            ],
            "kWh" => &[
                ("kWh", 1.0),
                ("MWh", 1e3),
                ("GWh", 1e6),
                ("MJ", 1.0 / 3.6),
                ("GJ", 1e3 / 3.6),
            ],
            _ => &[("", 1.0), ("1", 1.0)],
        }
    }

    /// Factor from `unit` to this category's unit ("" = the canonical one).
    pub fn unit_factor(&self, unit: &str) -> Result<f64, String> {
        if unit.is_empty() {
            return Ok(1.0);
        }
        self.units()
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .units()
                    .iter()
                    .map(|(u, _)| *u)
                    .filter(|u| !u.is_empty())
                    .collect();
                format!(
                    "unit `{unit}` does not fit {} ({}); allowed: {}",
                    self.id,
                    self.name,
                    known.join(", ")
                )
            })
    }
}

/// A number with an optional unit glued or spaced after it (`60t`,
/// `30 m3`, `1.5e5kgCO2e`), as written after `--exceed KEY=` or `--value`.
pub fn split_quantity(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    // A number too large for a double reads as infinite: refused, not
    // split into a number and a unit such as `e400`.
    if text.parse::<f64>().is_ok_and(f64::is_infinite)
        || text
            .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
            .and_then(|end| text[..end].trim().parse::<f64>().ok())
            .is_some_and(f64::is_infinite)
    {
        return None;
    }
    // The longest prefix that reads as a number; the rest is the unit.
    (1..=text.len())
        .rev()
        .filter(|&end| text.is_char_boundary(end))
        .find_map(|end| {
            let x: f64 = text[..end].trim().parse().ok()?;
            let unit = text[end..].trim();
            // "inf", "nan" and a unit that starts like an exponent ("1e")
            // are not quantities.
            (x.is_finite() && !unit.starts_with(|c: char| c.is_ascii_digit())).then_some((x, unit))
        })
}

pub const GWP: usize = 0;
pub const PE: usize = 1;
pub const WATER: usize = 2;
pub const ADP: usize = 3;
pub const ENERGY: usize = 4;

pub const SCOPES: [&str; 3] = ["usage", "idle", "embodied"];

/// One series of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Total,
    /// Index into `SCOPES`.
    Scope(usize),
    /// Index into `OutputLayout::tag_values`.
    Tag(usize),
}

/// Where each (category, series) lives in the output vector.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputLayout {
    /// The model's output categories (the five impacts for the footprint
    /// model; one output for an analytic test model).
    pub categories: Vec<Category>,
    /// Scopes each category is split into (none for an analytic model).
    pub scopes: Vec<&'static str>,
    /// (tag name, tag value), grouped by tag name in first-seen order.
    pub tag_values: Vec<(String, String)>,
}

impl OutputLayout {
    /// The footprint model's layout: five impacts, three scopes, these tags.
    pub fn footprint(tag_values: Vec<(String, String)>) -> Self {
        OutputLayout {
            categories: CATEGORIES.to_vec(),
            scopes: SCOPES.to_vec(),
            tag_values,
        }
    }

    pub fn stride(&self) -> usize {
        1 + self.scopes.len() + self.tag_values.len()
    }

    pub fn n_outputs(&self) -> usize {
        self.categories.len() * self.stride()
    }

    pub fn index(&self, category: usize, series: Series) -> usize {
        let offset = match series {
            Series::Total => 0,
            Series::Scope(s) => 1 + s,
            Series::Tag(t) => 1 + self.scopes.len() + t,
        };
        category * self.stride() + offset
    }

    /// A human name for output `j`, e.g. "gwp (usage)" or "gwp, category = failed".
    pub fn series_name(&self, j: usize) -> String {
        let (cat, offset) = (j / self.stride(), j % self.stride());
        let id = self.categories[cat].id;
        match offset {
            0 => format!("{id} (total)"),
            o if o <= self.scopes.len() => format!("{id} ({})", self.scopes[o - 1]),
            o => {
                let (name, value) = &self.tag_values[o - 1 - self.scopes.len()];
                format!("{id}, {name} = {value}")
            }
        }
    }

    /// Output series named as in the run JSON: `gwp` (the total),
    /// `gwp.usage` (a scope) or `gwp.phase.pre-training` (a tag value).
    pub fn find_series(&self, key: &str) -> Result<usize, String> {
        let mut known = Vec::new();
        for (c, cat) in self.categories.iter().enumerate() {
            let mut push = |name: String, series: Series| known.push((name, c, series));
            push(cat.id.to_string(), Series::Total);
            for (s, scope) in self.scopes.iter().enumerate() {
                push(format!("{}.{scope}", cat.id), Series::Scope(s));
            }
            for (t, (name, value)) in self.tag_values.iter().enumerate() {
                push(format!("{}.{name}.{value}", cat.id), Series::Tag(t));
            }
        }
        if let Some((_, c, series)) = known.iter().find(|(name, _, _)| name == key) {
            return Ok(self.index(*c, *series));
        }
        let names: Vec<String> = known.into_iter().map(|(n, ..)| n).collect();
        let ids: Vec<&str> = self.categories.iter().map(|c| c.id).collect();
        let hint = crate::scenario::overrides::suggest(key, &names)
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        Err(format!(
            "no output `{key}`; {hint}an output is a category ({}), optionally with a scope (`{}.{}`) or a tag value (`{}.TAG.VALUE`, as in the run JSON's by_tag)",
            ids.join(", "),
            ids[0],
            self.scopes.first().copied().unwrap_or("usage"),
            ids[0]
        ))
    }

    /// The category of output `j` and the name of its series ("total", a
    /// scope, or "TAG.VALUE").
    pub fn category_and_series(&self, j: usize) -> (&Category, String) {
        let (cat, offset) = (j / self.stride(), j % self.stride());
        let series = match offset {
            0 => "total".to_string(),
            o if o <= self.scopes.len() => self.scopes[o - 1].to_string(),
            o => {
                let (name, value) = &self.tag_values[o - 1 - self.scopes.len()];
                format!("{name}.{value}")
            }
        };
        (&self.categories[cat], series)
    }

    /// The distinct tag names in first-seen order.
    pub fn tag_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for (name, _) in &self.tag_values {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }
}
