//! Units that a scenario may write next to a number, per kind of quantity.
//!
//! Every model input has one canonical unit (the one the equations use). A
//! scenario may state another unit of the same dimension (kW for W, MWh for
//! kWh, GPU-years for GPU-hours …) and ecoband converts; a unit of another
//! dimension is an error, because it is almost always a modelling mistake.

/// The dimension a model input is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Dimensionless,
    GpuHours,
    Power,
    Energy,
    Years,
    GwpPerKwh,
    PePerKwh,
    AdpPerKwh,
    WaterPerKwh,
    Gwp,
    Pe,
    Adp,
    Water,
    /// GPUs per node: pieces.
    Count,
    /// What an embodied component's per-unit factors apply to.
    ComponentAmount,
}

impl Dimension {
    /// (spelling, factor to the canonical unit); the first is canonical.
    fn units(self) -> &'static [(&'static str, f64)] {
        match self {
            Dimension::Dimensionless => &[("1", 1.0), ("-", 1.0), ("fraction", 1.0), ("%", 0.01)],
            Dimension::GpuHours => &[
                ("GPU-h", 1.0),
                ("GPU-hours", 1.0),
                ("GPU-years", 8760.0),
                ("GPU-days", 24.0),
            ],
            Dimension::Power => &[("W", 1.0), ("kW", 1000.0)],
            Dimension::Energy => &[("kWh", 1.0), ("MWh", 1000.0), ("GWh", 1.0e6)],
            Dimension::Years => &[("yr", 1.0), ("years", 1.0)],
            Dimension::GwpPerKwh => &[("kgCO2e/kWh", 1.0), ("gCO2e/kWh", 1.0e-3)],
            Dimension::PePerKwh => &[("MJ/kWh", 1.0)],
            Dimension::AdpPerKwh => &[("kgSbeq/kWh", 1.0)],
            Dimension::WaterPerKwh => &[("L/kWh", 1.0), ("m3/kWh", 1000.0)],
            Dimension::Gwp => &[("kgCO2e", 1.0), ("tCO2e", 1000.0)],
            Dimension::Pe => &[("MJ", 1.0), ("GJ", 1000.0)],
            Dimension::Adp => &[("kgSbeq", 1.0)],
            Dimension::Water => &[("L", 1.0), ("m3", 1000.0)],
            Dimension::Count => &[("1", 1.0), ("units", 1.0)],
            // Pieces, or for Boavizta's die and mass factors, cm² of die
            // and kg.
            Dimension::ComponentAmount => &[("1", 1.0), ("units", 1.0), ("cm2", 1.0), ("kg", 1.0)],
        }
    }

    pub fn canonical(self) -> &'static str {
        self.units()[0].0
    }

    /// Factor that converts a value in `unit` to the canonical unit.
    pub fn factor(self, unit: &str) -> Result<f64, String> {
        self.units()
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let allowed: Vec<&str> = self.units().iter().map(|(n, _)| *n).collect();
                format!(
                    "unit `{unit}` does not fit here; allowed units: {}",
                    allowed.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_within_a_dimension_and_refuses_across() {
        assert_eq!(Dimension::Power.factor("kW"), Ok(1000.0));
        assert_eq!(Dimension::GpuHours.factor("GPU-years"), Ok(8760.0));
        assert_eq!(Dimension::Energy.factor("kWh"), Ok(1.0));
        let err = Dimension::Power.factor("kWh").unwrap_err();
        assert!(err.contains("allowed units: W, kW"), "{err}");
    }
}
