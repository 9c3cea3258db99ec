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
