//! The `[model]` table of a test-function scenario: the function's
//! constants, checked against the number of inputs in `[parameters]`.

use super::doc::{TableNode, as_array, as_f64, index_path};
use super::error::ScenarioError;
use crate::test_functions::TestFunction;

pub fn parse(root: &TableNode<'_, '_>, id: &str) -> Result<TestFunction, ScenarioError> {
    let table = root.sub_table("model")?;
    let allowed: &[&str] = match id {
        "ishigami" => &["a", "b"],
        "sobol-g" => &["a"],
        "linear" => &["coefficients"],
        _ => &[],
    };
    if let Some(t) = &table {
        let what = format!("[model] of the `{id}` function");
        t.deny_unknown(allowed, &what)?;
    }
    let number = |key: &str, default: f64| -> Result<f64, ScenarioError> {
        Ok(match &table {
            Some(t) => t.opt_f64(key)?.unwrap_or(default),
            None => default,
        })
    };
    let list = |key: &str, example: &str| -> Result<Vec<f64>, ScenarioError> {
        let Some(t) = &table else {
            return Err(root.error(format!(
                "the `{id}` function needs a [model] table with `{key} = [{example}]`, one number per input"
            )));
        };
        let value = t.require(key, &format!("[model] of the `{id}` function"))?;
        let path = t.child_path(key);
        as_array(t.doc, value, &path)?
            .iter()
            .enumerate()
            .map(|(i, v)| as_f64(t.doc, v, &index_path(&path, i)))
            .collect()
    };
    let function = match id {
        "ishigami" => TestFunction::Ishigami {
            a: number("a", 7.0)?,
            b: number("b", 0.1)?,
        },
        "sobol-g" => {
            let a = list("a", "78, 12, 0.5, 2, 97, 33")?;
            if let Some(i) = a.iter().position(|a| *a < 0.0) {
                let t = table.as_ref().expect("list() read the table");
                let path = index_path(&t.child_path("a"), i);
                let span = as_array(t.doc, t.require("a", "")?, &path)?[i].span();
                return Err(t.doc.error_at(
                    &span,
                    &path,
                    format!(
                        "a = {} is not allowed; the G function's constants are ≥ 0 (0 = most important input, large = unimportant)",
                        a[i]
                    ),
                ));
            }
            TestFunction::SobolG { a }
        }
        "linear" => TestFunction::Linear {
            coefficients: list("coefficients", "5, 4, 3, 2, 1")?,
        },
        "fleet40" => TestFunction::Fleet40,
        _ => TestFunction::Product,
    };
    check_inputs(root, &function)?;
    Ok(function)
}

/// The `[parameters]` are the function's inputs: as many as it takes.
fn check_inputs(root: &TableNode<'_, '_>, function: &TestFunction) -> Result<(), ScenarioError> {
    let parameters = root.sub_table("parameters")?;
    let given = parameters.as_ref().map_or(0, |p| p.entries().count());
    let wanted = function.n_inputs();
    let ok = match wanted {
        Some(n) => given == n,
        None => given >= 1,
    };
    if ok {
        return Ok(());
    }
    let what = match wanted {
        Some(n) => format!("exactly {n} inputs"),
        None => "at least one input".to_string(),
    };
    let message = format!(
        "the `{}` function takes {what}, given in [parameters] in order (each a number or a distribution); found {given}",
        function.id()
    );
    Err(match &parameters {
        Some(p) => p.error(message),
        None => root.error(message),
    })
}
