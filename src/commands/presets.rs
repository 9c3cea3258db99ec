//! `ecoband presets [NAME]`: the bundled presets.

use crate::app::AppError;

/// `ecoband presets [NAME]`: the catalogue, or one preset in full.
pub fn presets(name: Option<&str>) -> Result<String, AppError> {
    use crate::scenario::preset;
    let catalogue = preset::catalogue()?;
    let Some(name) = name else {
        return Ok(crate::report::presets::catalogue_table(&catalogue));
    };
    match preset::detail(name)? {
        Some(detail) => Ok(crate::report::presets::detail_table(&detail)),
        None => {
            let known: Vec<&str> = catalogue.iter().map(|p| p.name.as_str()).collect();
            Err(AppError::Input(format!(
                "unknown preset `{name}`; known presets: {} (`ecoband presets` lists them with their kind and description)",
                known.join(", ")
            )))
        }
    }
}
