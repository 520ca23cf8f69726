//! The change of each metric between two versions, as `dvc metrics diff` shows it, plus the
//! relative change. Pure.

use super::{Metrics, Number, Value};

/// One metric's change between two versions, as `dvc metrics diff` shows it (plus the relative
/// change).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub key: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// `new - old`, when both are numbers.
    pub absolute: Option<f64>,
    /// `(new - old) / |old|`, when both are numbers and `old` is not zero.
    pub relative: Option<f64>,
}

/// Every key of either side, sorted, with its change.
pub(crate) fn diff(old: &Metrics, new: &Metrics) -> Vec<Change> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let (o, n) = (old.get(k), new.get(k));
            let nums = o.and_then(Value::number).zip(n.and_then(Value::number));
            let absolute = nums.map(|(a, b)| b - a);
            let relative = nums
                .filter(|(a, _)| *a != 0.0)
                .map(|(a, b)| (b - a) / a.abs());
            Change {
                key: k.clone(),
                old: o.cloned(),
                new: n.cloned(),
                absolute,
                relative,
            }
        })
        .collect()
}

/// A change as tables print it: JSON's shortest float text (`0.013`, `-2`), so rounding noise
/// from the subtraction (`0.013000000000000012`) is cut to 6 significant digits.
pub(crate) fn format_change(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let rounded: f64 = format!("{x:.5e}").parse().unwrap_or(x);
    let text = Number::from_f64(rounded).text;
    text.strip_suffix(".0")
        .map_or_else(|| text.clone(), str::to_string)
}
