//! BoaviztAPI's bottom-up embodied-impact formulas (v2.4.1, Boavizta/boaviztapi
//! `boaviztapi/data/factors.yml` and `docs/docs/Explanations/components/*.md`;
//! the component formulas come from "Green Cloud Computing", Umweltbundesamt
//! 2021), as transcribed in `docs/lca-data.md` §3.1 and §3.4.
//!
//! The hardware presets (`presets/hardware.toml`) state their embodied
//! factors as the inputs of these formulas (die areas, masses) times the
//! per-unit factors below; `tests/presets.rs` checks that the presets'
//! nominal values equal what these functions compute, and the unit tests
//! check the functions against BoaviztAPI's own test values.

/// Embodied impacts of one item: global warming (kgCO2e), primary energy
/// (MJ), abiotic depletion of minerals and metals (kgSbeq).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Impacts {
    pub gwp: f64,
    pub pe: f64,
    pub adp: f64,
}

impl Impacts {
    pub const fn new(gwp: f64, pe: f64, adp: f64) -> Self {
        Impacts { gwp, pe, adp }
    }

    pub fn scale(self, k: f64) -> Impacts {
        Impacts::new(self.gwp * k, self.pe * k, self.adp * k)
    }

    /// `self · x + base`, the shape of most Boavizta component formulas.
    fn affine(self, x: f64, base: Impacts) -> Impacts {
        self.scale(x) + base
    }
}

impl std::ops::Add for Impacts {
    type Output = Impacts;
    fn add(self, o: Impacts) -> Impacts {
        Impacts::new(self.gwp + o.gwp, self.pe + o.pe, self.adp + o.adp)
    }
}

/// CPU: per mm² of die [P factors.yml `cpu.die_impact`].
pub const CPU_DIE_PER_MM2: Impacts = Impacts::new(0.0197, 0.265, 5.87e-9);
/// CPU: fixed part per CPU [P factors.yml `cpu.impact`].
pub const CPU_BASE: Impacts = Impacts::new(9.14, 156.0, 2.04e-2);
/// RAM: per cm² of DRAM die [P ram.md].
pub const RAM_DIE_PER_CM2: Impacts = Impacts::new(2.20, 27.3, 6.30e-5);
/// RAM: fixed part per stick [P ram.md].
pub const RAM_BASE: Impacts = Impacts::new(5.22, 74.0, 1.69e-3);
/// SSD: per cm² of NAND die [P ssd.md].
pub const SSD_DIE_PER_CM2: Impacts = Impacts::new(2.20, 27.3, 6.30e-5);
/// SSD: fixed part per drive [P ssd.md].
pub const SSD_BASE: Impacts = Impacts::new(6.34, 73.98, 5.63e-4);
/// Power supply: per kg [P power_supply.md].
pub const PSU_PER_KG: Impacts = Impacts::new(24.3, 352.0, 8.30e-3);
/// Motherboard, per unit [P motherboard.md].
pub const MOTHERBOARD: Impacts = Impacts::new(66.1, 836.0, 3.69e-3);
/// Rack-server case, per unit [P case.md].
pub const RACK_CASE: Impacts = Impacts::new(150.0, 2200.0, 2.02e-2);
/// Assembly of a server, per unit [P assembly.md].
pub const ASSEMBLY: Impacts = Impacts::new(6.68, 68.6, 1.41e-6);

/// RAM die density in BoaviztAPI's `crowdsourcing/ram_manufacture.csv`
/// (n = 11): mean, min, max in GB/cm² [I from P data, lca-data §3.1].
pub const RAM_DENSITY_GB_PER_CM2: [f64; 3] = [1.2444, 0.625, 2.375];
/// SSD die density in `crowdsourcing/ssd_manufacture.csv` (n = 19): mean,
/// min, max in GB/cm² [I from P data].
pub const SSD_DENSITY_GB_PER_CM2: [f64; 3] = [54.88, 16.4, 128.0];
/// Default PSU mass and the archetype's min and max, kg [P
/// archetypes/components/power_supply.csv].
pub const PSU_MASS_KG: [f64; 3] = [2.99, 1.0, 5.0];
/// Xeon Platinum 8480+ die area, "4x 477 mm²" [P crowdsourcing/cpu_specs.csv].
pub const XEON_8480_DIE_MM2: f64 = 1908.0;

pub fn cpu(die_mm2: f64) -> Impacts {
    CPU_DIE_PER_MM2.affine(die_mm2, CPU_BASE)
}

/// One RAM stick of `capacity_gb` at die density `density` (GB/cm²).
pub fn ram(capacity_gb: f64, density: f64) -> Impacts {
    RAM_DIE_PER_CM2.affine(capacity_gb / density, RAM_BASE)
}

/// One SSD of `capacity_gb` at die density `density` (GB/cm²).
pub fn ssd(capacity_gb: f64, density: f64) -> Impacts {
    SSD_DIE_PER_CM2.affine(capacity_gb / density, SSD_BASE)
}

pub fn psu(mass_kg: f64) -> Impacts {
    PSU_PER_KG.scale(mass_kg)
}

/// GPU sub-component factors (`factors.yml` → `gpu`) [P]. In this block
/// the key is `adp`, ADPe only (the commit that added it named it `adpe`).
pub mod gpu_factors {
    use super::Impacts;
    /// Per kg of casing.
    pub const CASING: Impacts = Impacts::new(8.2542, 245.88, 4.0835e-4);
    /// Per kg of heatsink.
    pub const HEATSINK: Impacts = Impacts::new(5.7412, 92.287, 1.8669e-3);
    /// Per cm² of printed wiring board.
    pub const PWB: Impacts = Impacts::new(0.032549, 0.82969, 1.2707e-5);
    /// Per mm² of effective GPU die area.
    pub const DIE: Impacts = Impacts::new(0.042592, 0.56728, 1.555e-8);
    /// Per mm² of effective VRAM die area.
    pub const VRAM: Impacts = Impacts::new(0.18379, 2.452, 5.0731e-9);
    /// Upstream transport, per kg of GPU.
    pub const UPSTREAM_TRANSPORT: Impacts = Impacts::new(0.25955, 3.619, 1.0196e-8);
    /// Per km·kg by boat, truck, plane.
    pub const BOAT: Impacts = Impacts::new(1.33e-5, 1.64e-4, 4.62e-13);
    pub const TRUCK: Impacts = Impacts::new(5.04e-5, 7.04e-4, 1.98e-12);
    pub const PLANE: Impacts = Impacts::new(2.11e-3, 2.95e-2, 8.31e-11);
    /// End of life, per kg. Its ADPe (3.714e-6) is left out: BoaviztAPI's
    /// own test of the default GPU expects 0.005826 kgSbeq, which the formula
    /// gives only without it (with it, 0.005832) [I].
    pub const END_OF_LIFE: Impacts = Impacts::new(1.5062, 22.348, 0.0);
}

/// VRAM die area per GB of memory, mm²/GB [P gpu.py].
pub const VRAM_MM2_PER_GB: f64 = 15.5;
/// Wafer diameter (mm), saw kerf (mm) and defect density (per cm²) of the
/// wafer-loss model [P gpu.py].
pub const WAFER_DIAMETER_MM: f64 = 300.0;
pub const KERF_MM: f64 = 0.2;
pub const DEFECT_DENSITY_PER_CM2: f64 = 0.1;

/// Effective die area of a die of `raw_mm2`: the wafer area consumed per
/// good die. A square die plus kerf on each side; dies per wafer by the
/// usual edge-loss formula π r²/a − π d/√(2a); Poisson-like yield
/// exp(−√(a · D0)) on the kerfed area. This reproduces the archetype's
/// "Large GPU": 814 mm² raw → 2,808.4 mm² effective [P gpu.csv; I].
pub fn effective_die_area(raw_mm2: f64) -> f64 {
    let side = raw_mm2.sqrt() + KERF_MM;
    let area = side * side;
    let wafer = std::f64::consts::PI * (WAFER_DIAMETER_MM / 2.0).powi(2);
    let dies_per_wafer =
        wafer / area - std::f64::consts::PI * WAFER_DIAMETER_MM / (2.0 * area).sqrt();
    let yield_ = (-(area / 100.0 * DEFECT_DENSITY_PER_CM2).sqrt()).exp();
    wafer / (dies_per_wafer * yield_)
}

/// Effective VRAM die area of `vram_gb` spread over `dies` memory dies.
pub fn vram_effective_area(vram_gb: f64, dies: f64) -> f64 {
    dies * effective_die_area(vram_gb * VRAM_MM2_PER_GB / dies)
}

/// A GPU card as BoaviztAPI describes it (`crowdsourcing/gpu_specs.csv`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuSpec {
    pub die_effective_mm2: f64,
    pub vram_gb: f64,
    pub vram_dies: f64,
    pub pwb_cm2: f64,
    pub casing_kg: f64,
    pub heatsink_kg: f64,
    pub mass_kg: f64,
    pub boat_km: f64,
    pub truck_km: f64,
    pub plane_km: f64,
}

/// "NVIDIA H100 SXM 80GB" row of `crowdsourcing/gpu_specs.csv` [P]:
/// 6 VRAM dies, 80 GB, die_surface 2,810.4 mm² (effective), PWB 296.37 cm²,
/// boat 19,000 km, truck 1,000 km, casing 0.789 kg, heatsink 0.901 kg,
/// mass 1.69 kg.
pub const H100_SXM_80GB: GpuSpec = GpuSpec {
    die_effective_mm2: 2810.4,
    vram_gb: 80.0,
    vram_dies: 6.0,
    pwb_cm2: 296.37,
    casing_kg: 0.789,
    heatsink_kg: 0.901,
    mass_kg: 1.69,
    boat_km: 19_000.0,
    truck_km: 1_000.0,
    plane_km: 0.0,
};

/// The default archetype "Large GPU" [P archetypes/components/gpu.csv]:
/// 814 mm² raw die, 80 GB in 6 dies; its board, masses and transport are
/// the H100 row's (the archetype differs from it only by its die area,
/// which gives BoaviztAPI's 575.1 against the H100's 575.2 kgCO2e [I]).
pub fn large_gpu_default() -> GpuSpec {
    GpuSpec {
        die_effective_mm2: effective_die_area(814.0),
        ..H100_SXM_80GB
    }
}

/// Embodied impacts of one GPU card [P gpu.md formula].
pub fn gpu(g: &GpuSpec) -> Impacts {
    use gpu_factors::*;
    let vram = vram_effective_area(g.vram_gb, g.vram_dies);
    let transport = (BOAT.scale(g.boat_km) + TRUCK.scale(g.truck_km) + PLANE.scale(g.plane_km))
        .scale(g.mass_kg);
    CASING.scale(g.casing_kg)
        + HEATSINK.scale(g.heatsink_kg)
        + PWB.scale(g.pwb_cm2)
        + DIE.scale(g.die_effective_mm2)
        + VRAM.scale(vram)
        + UPSTREAM_TRANSPORT.scale(g.mass_kg)
        + transport
        + END_OF_LIFE.scale(g.mass_kg)
}

/// A server's bill of materials, as in lca-data §3.4.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Server {
    pub gpus: f64,
    pub gpu: GpuSpec,
    pub cpus: f64,
    pub cpu_die_mm2: f64,
    pub ram_sticks: f64,
    pub ram_stick_gb: f64,
    pub ram_density: f64,
    pub ssds: f64,
    pub ssd_gb: f64,
    pub ssd_density: f64,
    pub psus: f64,
    pub psu_kg: f64,
}

/// The Moshi-like DGX H100 node of lca-data §3.4 at Boavizta's defaults:
/// 8 × H100 SXM 80GB, 2 × Xeon 8480, 32 × 64 GB RAM at the mean density,
/// 8 × 2 TB SSD at the mean density, 6 PSUs at 2.99 kg.
pub const DGX_H100: Server = Server {
    gpus: 8.0,
    gpu: H100_SXM_80GB,
    cpus: 2.0,
    cpu_die_mm2: XEON_8480_DIE_MM2,
    ram_sticks: 32.0,
    ram_stick_gb: 64.0,
    ram_density: RAM_DENSITY_GB_PER_CM2[0],
    ssds: 8.0,
    ssd_gb: 2000.0,
    ssd_density: SSD_DENSITY_GB_PER_CM2[0],
    psus: 6.0,
    psu_kg: PSU_MASS_KG[0],
};

/// AMD EPYC 7742 die area: I/O die 416 mm² + 16 × 74 mm² = 1,600 mm²
/// [P crowdsourcing/cpu_specs.csv `total_die_size`].
pub const EPYC_7742_DIE_MM2: f64 = 1600.0;

/// "NVIDIA A100 SXM4 40GB" row of `crowdsourcing/gpu_specs.csv` [P]:
/// 6 VRAM dies, 40 GB, die_surface 1,798 mm² (effective), PWB 105 cm²,
/// casing 0.09 kg, heatsink 1.25 kg, mass 1.56 kg.
pub const A100_SXM4_40GB: GpuSpec = GpuSpec {
    die_effective_mm2: 1798.0,
    vram_gb: 40.0,
    vram_dies: 6.0,
    pwb_cm2: 105.0,
    casing_kg: 0.09,
    heatsink_kg: 1.25,
    mass_kg: 1.56,
    boat_km: 19_000.0,
    truck_km: 1_000.0,
    plane_km: 0.0,
};

/// The A100 SXM4 80GB has no row: the 40GB row with 80 GB of HBM (the
/// same GA100 die and board) [I from P].
pub const A100_SXM4_80GB_VARIANT: GpuSpec = GpuSpec {
    vram_gb: 80.0,
    ..A100_SXM4_40GB
};

/// "NVIDIA A100 PCIe 40GB" row of `crowdsourcing/gpu_specs.csv` [P]:
/// 6 VRAM dies, 40 GB, die_surface 1,798 mm², PWB 234.36 cm², casing
/// 0.387 kg, heatsink 0.609 kg, mass 1.23 kg.
pub const A100_PCIE_40GB: GpuSpec = GpuSpec {
    die_effective_mm2: 1798.0,
    vram_gb: 40.0,
    vram_dies: 6.0,
    pwb_cm2: 234.36,
    casing_kg: 0.387,
    heatsink_kg: 0.609,
    mass_kg: 1.23,
    boat_km: 19_000.0,
    truck_km: 1_000.0,
    plane_km: 0.0,
};

/// The H100 PCIe 80GB has no row: the H100 SXM 80GB row's die and HBM
/// (the same GH100 die, 80 GB) on the A100 PCIe 40GB row's dual-slot
/// board, casing, heatsink and mass (the same PCIe form factor) [I, proxy].
pub const H100_PCIE_80GB_PROXY: GpuSpec = GpuSpec {
    die_effective_mm2: H100_SXM_80GB.die_effective_mm2,
    vram_gb: H100_SXM_80GB.vram_gb,
    vram_dies: H100_SXM_80GB.vram_dies,
    ..A100_PCIE_40GB
};

/// A DGX A100 (320 GB) node at Boavizta's defaults: 8 × A100 SXM4 40GB,
/// 2 × EPYC 7742, 1 TB RAM as 16 × 64 GB at the mean density, 19.2 TB of
/// NVMe as 6 drives (2 × 1.92 TB + 4 × 3.84 TB, 3.2 TB on average) at the
/// mean density, 6 PSUs at 2.99 kg (NVIDIA DGX A100 datasheet for the bill
/// of materials; stick and PSU masses assumed, see presets/hardware.toml).
pub const DGX_A100: Server = Server {
    gpus: 8.0,
    gpu: A100_SXM4_40GB,
    cpus: 2.0,
    cpu_die_mm2: EPYC_7742_DIE_MM2,
    ram_sticks: 16.0,
    ram_stick_gb: 64.0,
    ram_density: RAM_DENSITY_GB_PER_CM2[0],
    ssds: 6.0,
    ssd_gb: 3200.0,
    ssd_density: SSD_DENSITY_GB_PER_CM2[0],
    psus: 6.0,
    psu_kg: PSU_MASS_KG[0],
};

/// A generic 8-GPU PCIe server with H100 PCIe 80GB cards: 2 × Xeon
/// Platinum 8480, 1 TB RAM as 16 × 64 GB, 2 × 3.84 TB SSD, 4 PSUs at
/// 2.99 kg (an assumed configuration, see presets/hardware.toml).
pub const H100_PCIE_8: Server = Server {
    gpus: 8.0,
    gpu: H100_PCIE_80GB_PROXY,
    cpus: 2.0,
    cpu_die_mm2: XEON_8480_DIE_MM2,
    ram_sticks: 16.0,
    ram_stick_gb: 64.0,
    ram_density: RAM_DENSITY_GB_PER_CM2[0],
    ssds: 2.0,
    ssd_gb: 3840.0,
    ssd_density: SSD_DENSITY_GB_PER_CM2[0],
    psus: 4.0,
    psu_kg: PSU_MASS_KG[0],
};

/// Per-component embodied impacts of a server (count × per-unit value).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerBreakdown {
    pub gpus: Impacts,
    pub cpus: Impacts,
    pub ram: Impacts,
    pub ssds: Impacts,
    pub psus: Impacts,
    pub motherboard: Impacts,
    pub case: Impacts,
    pub assembly: Impacts,
}

impl ServerBreakdown {
    pub fn total(&self) -> Impacts {
        [
            self.gpus,
            self.cpus,
            self.ram,
            self.ssds,
            self.psus,
            self.motherboard,
            self.case,
            self.assembly,
        ]
        .into_iter()
        .fold(Impacts::default(), |a, b| a + b)
    }
}

/// BoaviztAPI's server model: the sum of its components, one motherboard,
/// one rack case and one assembly.
pub fn server(s: &Server) -> ServerBreakdown {
    ServerBreakdown {
        gpus: gpu(&s.gpu).scale(s.gpus),
        cpus: cpu(s.cpu_die_mm2).scale(s.cpus),
        ram: ram(s.ram_stick_gb, s.ram_density).scale(s.ram_sticks),
        ssds: ssd(s.ssd_gb, s.ssd_density).scale(s.ssds),
        psus: psu(s.psu_kg).scale(s.psus),
        motherboard: MOTHERBOARD,
        case: RACK_CASE,
        assembly: ASSEMBLY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// |x − expected| within half a unit of the last digit published.
    fn close(x: f64, expected: f64, half_unit: f64) {
        assert!(
            (x - expected).abs() <= half_unit,
            "{x} is not {expected} ± {half_unit}"
        );
    }

    #[test]
    fn large_gpu_matches_boaviztapi_own_test() {
        // tests/api/test_component.py::test_empty_gpu expects 575.1 kgCO2e,
        // 7,912 MJ, 0.005826 kgSbeq (lca-data §3.1).
        let g = gpu(&large_gpu_default());
        close(g.gwp, 575.1, 0.05);
        close(g.pe, 7912.0, 0.5);
        close(g.adp, 0.005826, 0.0000005);
    }

    #[test]
    fn effective_die_area_matches_the_archetype() {
        // 814 mm² raw → 2,808.4 mm² effective [P gpu.csv].
        close(effective_die_area(814.0), 2808.4, 0.05);
    }

    #[test]
    fn h100_breakdown_matches_lca_data() {
        // lca-data §3.1: 575.2 / 7,913 / 0.00583, of which VRAM 430.7,
        // die 119.7, PWB 9.6, casing 6.5, heatsink 5.2, EoL 2.5 kgCO2e.
        let g = gpu(&H100_SXM_80GB);
        close(g.gwp, 575.2, 0.05);
        close(g.pe, 7913.0, 0.5);
        close(g.adp, 0.00583, 0.000005);
        let vram = gpu_factors::VRAM.gwp * vram_effective_area(80.0, 6.0);
        close(vram, 430.7, 0.05);
        close(gpu_factors::DIE.gwp * 2810.4, 119.7, 0.05);
    }

    #[test]
    fn per_unit_values_match_lca_data() {
        // lca-data §3.4 per-unit table.
        let c = cpu(XEON_8480_DIE_MM2);
        close(c.gwp, 46.7, 0.05);
        close(c.pe, 662.0, 0.5);
        close(c.adp, 0.0204, 0.00005);
        let r = ram(64.0, RAM_DENSITY_GB_PER_CM2[0]);
        close(r.gwp, 118.4, 0.05);
        close(r.pe, 1478.0, 0.5);
        close(r.adp, 0.00493, 0.000005);
        let s = ssd(2000.0, SSD_DENSITY_GB_PER_CM2[0]);
        close(s.gwp, 86.5, 0.05);
        close(s.pe, 1069.0, 0.5);
        close(s.adp, 0.00286, 0.000005);
        let p = psu(PSU_MASS_KG[0]);
        close(p.gwp, 72.7, 0.05);
        close(p.pe, 1052.0, 0.5);
        close(p.adp, 0.0248, 0.00005);
    }

    #[test]
    fn dgx_h100_node_totals_match_lca_data() {
        // lca-data §3.4: default 9,833 kgCO2e / 129,900 MJ / 0.441 kgSbeq,
        // GWP breakdown GPU 4,601, RAM 3,788, SSD 692, PSU 436, CPU 93.
        let b = server(&DGX_H100);
        let t = b.total();
        close(t.gwp, 9833.0, 1.0);
        close(t.pe, 129_900.0, 50.0);
        close(t.adp, 0.441, 0.0005);
        close(b.gpus.gwp, 4601.0, 0.5);
        close(b.ram.gwp, 3788.0, 0.5);
        close(b.ssds.gwp, 692.0, 0.5);
        close(b.psus.gwp, 436.0, 0.5);
        close(b.cpus.gwp, 93.0, 0.5);
    }

    #[test]
    fn a100_rows_match_lca_data() {
        // lca-data §3.1: A100 SXM4 40GB 273.4 / 3,722 / 0.00374; A100 PCIe
        // 40GB 275.7 / 3,834 / 0.00431.
        let g = gpu(&A100_SXM4_40GB);
        close(g.gwp, 273.4, 0.05);
        close(g.pe, 3722.0, 0.5);
        close(g.adp, 0.00374, 0.000005);
        let g = gpu(&A100_PCIE_40GB);
        close(g.gwp, 275.7, 0.05);
        close(g.pe, 3834.0, 0.5);
        close(g.adp, 0.00431, 0.000005);
        // 80 GB of HBM instead of 40: more VRAM die, the rest the same.
        let g80 = gpu(&A100_SXM4_80GB_VARIANT);
        close(g80.gwp, 521.8, 0.05);
        // The H100 PCIe proxy: H100 die and HBM, PCIe board: below the SXM.
        let p = gpu(&H100_PCIE_80GB_PROXY);
        close(p.gwp, 567.2, 0.05);
        assert!(p.gwp < gpu(&H100_SXM_80GB).gwp);
    }

    #[test]
    fn epyc_7742_and_new_nodes() {
        let c = cpu(EPYC_7742_DIE_MM2);
        close(c.gwp, 40.66, 0.005);
        close(c.pe, 580.0, 0.005);
        let a = server(&DGX_A100);
        close(a.gpus.gwp, 8.0 * 273.388, 0.01);
        let h = server(&H100_PCIE_8);
        close(h.gpus.gwp, 8.0 * 567.216, 0.01);
    }

    #[test]
    fn dgx_h100_variants_match_lca_data() {
        // lca-data §3.4 variants. Low: RAM density 2.375, SSD 128, PSU 1 kg.
        let low = server(&Server {
            ram_density: RAM_DENSITY_GB_PER_CM2[2],
            ssd_density: SSD_DENSITY_GB_PER_CM2[2],
            psu_kg: PSU_MASS_KG[1],
            ..DGX_H100
        })
        .total();
        close(low.gwp, 7453.0, 1.0);
        close(low.pe, 99_760.0, 10.0);
        close(low.adp, 0.282, 0.0005);
        // High: RAM density 0.625, SSD 16.4, PSU 5 kg.
        let high = server(&Server {
            ram_density: RAM_DENSITY_GB_PER_CM2[1],
            ssd_density: SSD_DENSITY_GB_PER_CM2[1],
            psu_kg: PSU_MASS_KG[2],
            ..DGX_H100
        })
        .total();
        close(high.gwp, 15_220.0, 10.0);
        close(high.pe, 197_300.0, 100.0);
        close(high.adp, 0.687, 0.0005);
        // 1 TB of RAM instead of 2 TB.
        let one_tb = server(&Server {
            ram_sticks: 16.0,
            ..DGX_H100
        })
        .total();
        close(one_tb.gwp, 7940.0, 1.0);
        close(one_tb.pe, 106_200.0, 100.0);
        close(one_tb.adp, 0.362, 0.0005);
    }
}
