//! A stage gate's conditions (`eval.auc >= 0.9`): parsed from `.registry.yaml`, checked
//! against a version's metrics. Pure; a value that is no finite number meets no rule.

use std::fmt;

use super::{Metrics, Number, Value, bad_key};

/// A comparison of a gate's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    const ALL: [(&'static str, Op); 6] = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];

    pub(crate) fn as_str(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, o)| *o == self)
            .map_or("?", |(s, _)| s)
    }

    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            #[expect(
                clippy::float_cmp,
                reason = "`==` in a rule means exactly equal, as written"
            )]
            Op::Eq => a == b,
            #[expect(clippy::float_cmp, reason = "`!=` in a rule means not exactly equal")]
            Op::Ne => a != b,
        }
    }
}

/// One condition of a stage's gate: `KEY OP NUMBER`, e.g. `eval.auc >= 0.9`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub key: String,
    pub op: Op,
    pub threshold: Number,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.key,
            self.op.as_str(),
            self.threshold.text
        )
    }
}

impl Condition {
    /// Parses `KEY OP NUMBER` (spaces around the operator optional). The operator is the last
    /// one in the text, so a key may hold `<` or `>`; the number must be finite.
    pub(crate) fn parse(text: &str) -> Result<Condition, String> {
        let bad = |why: &str| {
            format!(
                "metric rule '{}' {why} (a rule is METRIC OP NUMBER with OP one of < <= > >= == !=, for example 'eval.auc >= 0.9')",
                text.escape_debug()
            )
        };
        // The rightmost run of operator characters is the operator, so a key may hold `<`.
        let is_op = |b: u8| matches!(b, b'<' | b'>' | b'=' | b'!');
        let Some(last) = text.bytes().rposition(is_op) else {
            return Err(bad("has no comparison"));
        };
        let mut at = last;
        while at > 0 && is_op(text.as_bytes()[at - 1]) {
            at -= 1;
        }
        let written = &text[at..=last];
        let Some((s, op)) = Op::ALL.iter().find(|(s, _)| *s == written).copied() else {
            return Err(bad(&format!(
                "compares with '{written}', which is not one of < <= > >= == !="
            )));
        };
        let key = text[..at].trim();
        let number = text[at + s.len()..].trim();
        if key.is_empty() {
            return Err(bad("names no metric"));
        }
        if let Some(why) = bad_key(key) {
            return Err(bad(&format!("is not a metric name: {why}")));
        }
        let threshold = Number::parse(number)
            .or_else(|| match Value::from_cli(number) {
                Value::Number(n) => Some(n),
                _ => None,
            })
            .filter(|n| n.value.is_finite())
            .ok_or_else(|| {
                bad(&format!(
                    "compares with '{}', which is not a number",
                    number.escape_debug()
                ))
            })?;
        Ok(Condition {
            key: key.to_string(),
            op,
            threshold,
        })
    }

    /// Whether `metrics` meet the condition: `Err` says why not, naming the metric, its value
    /// and the rule. A missing metric fails, as does a value that is not a number.
    pub(crate) fn check(&self, metrics: &Metrics) -> Result<(), String> {
        match metrics.get(&self.key) {
            None => Err(format!("has no metric '{}' (rule: {self})", self.key)),
            Some(v) => match v.number() {
                None => Err(format!(
                    "has {} = {}, which is not a number and cannot be compared (rule: {self})",
                    self.key,
                    v.trailer_text()
                )),
                // `Infinity` would meet every `>=` and `-Infinity` every `<`; `NaN` no rule:
                // a value that is no finite number is no score a gate can take.
                Some(n) if !n.is_finite() => Err(format!(
                    "has {} = {v}, which is not a finite number and cannot meet a rule (rule: {self})",
                    self.key
                )),
                Some(n) if self.op.holds(n, self.threshold.value) => Ok(()),
                Some(_) => Err(format!(
                    "has {} = {v}, which fails the rule {self}",
                    self.key
                )),
            },
        }
    }
}
