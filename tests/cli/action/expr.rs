//! The `${{ }}` expressions action.yml uses, evaluated as GitHub does: context paths
//! (`inputs.X`, `github.A.B`, `runner.X`, `steps.ID.outputs.KEY`) and `PATH == 'literal'` /
//! `PATH != 'literal'` (string comparison ignoring case). Nothing else: an expression of another
//! form, or a context the play does not provide, fails the test.

use std::collections::HashMap;

/// An input's value: what the caller's `with:` gave, or the declared default, itself a
/// template (`origin/${{ github.event.repository.default_branch }}`), evaluated when read.
pub(crate) enum Input {
    Given(String),
    Default(String),
}

/// The contexts a composite action's expressions read.
pub(crate) struct Contexts {
    pub inputs: HashMap<String, Input>,
    pub github: HashMap<String, String>,
    pub runner: HashMap<String, String>,
    /// Each step id's outputs, once it ran.
    pub steps: HashMap<String, HashMap<String, String>>,
}

impl Contexts {
    /// A template: its text with each `${{ expr }}` replaced by the expression's value.
    pub(crate) fn interpolate(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed ${{{{ in {template:?}"));
            out.push_str(&self.value(rest[start + 3..start + end].trim()));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:`: an expression, with or without `${{ }}`, that must be a comparison.
    pub(crate) fn condition(&self, cond: &str) -> bool {
        let bare = cond.trim();
        let bare = bare
            .strip_prefix("${{")
            .and_then(|b| b.strip_suffix("}}"))
            .unwrap_or(bare);
        assert!(
            bare.contains("==") || bare.contains("!="),
            "only `==`/`!=` conditions are played: {cond:?}"
        );
        self.value(bare.trim()) == "true"
    }

    /// One expression's value.
    fn value(&self, expr: &str) -> String {
        for (op, equal) in [("==", true), ("!=", false)] {
            if let Some((lhs, rhs)) = expr.split_once(op) {
                let want = rhs
                    .trim()
                    .strip_prefix('\'')
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or_else(|| panic!("only quoted literals are compared: {expr:?}"));
                let same = self.path(lhs.trim()).eq_ignore_ascii_case(want);
                return (same == equal).to_string();
            }
        }
        self.path(expr)
    }

    /// A context path.
    fn path(&self, path: &str) -> String {
        let (context, rest) = path
            .split_once('.')
            .unwrap_or_else(|| panic!("not a context path: {path:?}"));
        assert!(
            rest.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "not a context path: {path:?}"
        );
        match context {
            "inputs" => match self.inputs.get(rest) {
                Some(Input::Given(v)) => v.clone(),
                Some(Input::Default(template)) => self.interpolate(template),
                None => panic!("action.yml reads undeclared input {rest:?}"),
            },
            "github" => self
                .github
                .get(rest)
                .unwrap_or_else(|| panic!("the play gives no github.{rest}; pass it in `github`"))
                .clone(),
            "runner" => self
                .runner
                .get(rest)
                .unwrap_or_else(|| panic!("the play gives no runner.{rest}"))
                .clone(),
            "steps" => {
                let (id, key) = rest
                    .split_once(".outputs.")
                    .unwrap_or_else(|| panic!("only steps.ID.outputs.KEY is played: {path:?}"));
                // A step that has not run, or wrote no such output, gives the empty string.
                self.steps
                    .get(id)
                    .and_then(|o| o.get(key))
                    .cloned()
                    .unwrap_or_default()
            }
            _ => panic!("context {context:?} is not played: {path:?}"),
        }
    }
}

#[test]
fn the_evaluator_reads_only_the_forms_it_knows() {
    let cx = Contexts {
        inputs: HashMap::from([
            ("a".to_string(), Input::Given("X".to_string())),
            (
                "b".to_string(),
                Input::Default("origin/${{ github.event.repository.default_branch }}".to_string()),
            ),
        ]),
        github: HashMap::from([(
            "event.repository.default_branch".to_string(),
            "main".to_string(),
        )]),
        runner: HashMap::new(),
        steps: HashMap::new(),
    };
    assert_eq!(cx.interpolate("${{ inputs.b }}!"), "origin/main!");
    assert!(cx.condition("inputs.a == 'x'"));
    assert!(cx.condition("${{ steps.none.outputs.hit != 'true' }}"));
    for bad in [
        "inputs.a || 'x'",
        "format('{0}', inputs.a)",
        "env.HOME",
        "inputs.zzz",
    ] {
        let caught = std::panic::catch_unwind(|| cx.interpolate(&format!("${{{{ {bad} }}}}")));
        assert!(caught.is_err(), "{bad} was evaluated");
    }
}
