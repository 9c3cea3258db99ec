//! `--tag-by` rules (which tag value a job gets from a field of its line)
//! and the `outcome` tag read from Slurm's State column.

use regex::Regex;

/// The tag every job gets from its scheduler state; `--tag-by` may not set it.
pub const OUTCOME: &str = "outcome";
/// The value of a tag whose rules all failed to match a job: the job keeps
/// its GPU-hours under this value instead of being dropped.
pub const UNMATCHED: &str = "unmatched";
/// The column rules read when they name none.
pub const DEFAULT_FIELD: &str = "JobName";

/// The syntax, repeated in every refusal so the user need not look it up.
pub const SYNTAX: &str = "expected KEY[@COLUMN]=VALUE:REGEX (the job gets KEY = VALUE when REGEX matches) or KEY[@COLUMN]=REGEX (KEY = the text REGEX's first group, or REGEX as a whole, matched); KEY and VALUE are letters, digits, `_`, `-`, `.`; COLUMN is a column of the export (default JobName; `name` and `partition` are short for JobName and Partition)";

/// One `--tag-by` argument.
#[derive(Debug)]
pub struct TagRule {
    /// The argument as given, for messages.
    pub text: String,
    pub key: String,
    /// The column the pattern is matched against, as the user wrote it
    /// (header names are compared without regard to case).
    pub field: String,
    /// `None`: the value is what the pattern matched.
    pub value: Option<String>,
    pub pattern: Regex,
}

/// Keys and values become TOML bare keys and readable tag values: keeping
/// them to this alphabet means no quoting surprises in the rows.
fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl TagRule {
    pub fn parse(text: &str) -> Result<TagRule, String> {
        let refuse = |why: String| format!("--tag-by {text}: {why}; {SYNTAX}");
        let Some((lhs, rhs)) = text.split_once('=') else {
            return Err(refuse("no `=`".into()));
        };
        let (key, field) = match lhs.split_once('@') {
            None => (lhs, DEFAULT_FIELD.to_string()),
            Some((key, field)) => {
                let field = match field.to_ascii_lowercase().as_str() {
                    "name" => DEFAULT_FIELD.to_string(),
                    "partition" => "Partition".to_string(),
                    _ if is_word(field) => field.to_string(),
                    _ => {
                        return Err(refuse(format!(
                            "`{field}` is not a column name (letters, digits, `_`, `-`, `.`)"
                        )));
                    }
                };
                (key, field)
            }
        };
        // `phase:pretraining=^pt-` puts the value on the wrong side.
        if let Some((k, v)) = key.split_once(':')
            && is_word(k)
            && is_word(v)
            && field == DEFAULT_FIELD
        {
            return Err(refuse(format!(
                "the value goes after `=`: did you mean `{k}={v}:{rhs}`?"
            )));
        }
        if !is_word(key) {
            return Err(refuse(format!(
                "the tag key `{key}` is not letters, digits, `_`, `-`, `.`"
            )));
        }
        if key == OUTCOME {
            return Err(refuse(format!(
                "`{OUTCOME}` is set from the State column (completed, failed, cancelled …); choose another key"
            )));
        }
        // VALUE:REGEX when what precedes the first `:` is a bare word; a
        // regex that itself starts with `word:` escapes its colon (`\:`).
        let (value, pattern) = match rhs.split_once(':') {
            Some((value, pattern)) if is_word(value) => (Some(value.to_string()), pattern),
            _ => (None, rhs),
        };
        if value.as_deref() == Some(UNMATCHED) {
            return Err(refuse(format!(
                "`{UNMATCHED}` is the value of jobs no pattern matches; choose another value"
            )));
        }
        if pattern.is_empty() {
            return Err(refuse("the pattern is empty".into()));
        }
        let pattern = Regex::new(pattern).map_err(|e| {
            refuse(format!(
                "`{pattern}` is not a valid regular expression: {e}"
            ))
        })?;
        Ok(TagRule {
            text: text.to_string(),
            key: key.to_string(),
            field,
            value,
            pattern,
        })
    }

    /// The value this rule gives a job whose field reads `cell`, if it
    /// matches. An empty captured text is no match: a tag value of "" would
    /// be an invisible category in every report.
    fn apply(&self, cell: &str) -> Option<String> {
        let captures = self.pattern.captures(cell)?;
        let text = match &self.value {
            Some(v) => return Some(v.clone()),
            None if self.pattern.captures_len() > 1 => captures.get(1)?.as_str(),
            None => captures.get(0)?.as_str(),
        };
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// The rules grouped by key, keys in the order of their first rule, each
/// key's rules in the order given (the first that matches wins).
#[derive(Debug, Default)]
pub struct Tagger {
    pub keys: Vec<(String, Vec<TagRule>)>,
}

impl Tagger {
    pub fn new(rules: Vec<TagRule>) -> Tagger {
        let mut keys: Vec<(String, Vec<TagRule>)> = Vec::new();
        for rule in rules {
            match keys.iter_mut().find(|(k, _)| *k == rule.key) {
                Some((_, list)) => list.push(rule),
                None => keys.push((rule.key.clone(), vec![rule])),
            }
        }
        Tagger { keys }
    }

    /// Every column a rule reads (for the check that the export has them).
    pub fn fields(&self) -> impl Iterator<Item = &TagRule> {
        self.keys.iter().flat_map(|(_, rules)| rules.iter())
    }

    /// One value per key; `cell(field)` gives the job's text in a column.
    pub fn tag<'a>(&self, cell: impl Fn(&str) -> &'a str) -> Vec<(String, String)> {
        self.keys
            .iter()
            .map(|(key, rules)| {
                let value = rules
                    .iter()
                    .find_map(|r| r.apply(cell(&r.field)))
                    .unwrap_or_else(|| UNMATCHED.to_string());
                (key.clone(), value)
            })
            .collect()
    }
}

/// Slurm's job states (sacct(1), JOB STATE CODES).
const STATES: [&str; 24] = [
    "BOOT_FAIL",
    "CANCELLED",
    "COMPLETED",
    "COMPLETING",
    "CONFIGURING",
    "DEADLINE",
    "FAILED",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PENDING",
    "PREEMPTED",
    "RESV_DEL_HOLD",
    "REQUEUE_FED",
    "REQUEUE_HOLD",
    "REQUEUED",
    "RESIZING",
    "REVOKED",
    "RUNNING",
    "SIGNALING",
    "SPECIAL_EXIT",
    "STAGE_OUT",
    "STOPPED",
    "SUSPENDED",
    "TIMEOUT",
];

/// The `outcome` value of a State cell: `COMPLETED` → `completed`,
/// `CANCELLED by 1234` → `cancelled`, `OUT_OF_MEMORY` → `out-of-memory`.
/// sacct appends ` by UID` to cancellations and `+` when it truncates.
pub fn outcome(state: &str) -> Result<String, String> {
    let word = state
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('+');
    let upper = word.to_ascii_uppercase();
    if STATES.contains(&upper.as_str()) {
        Ok(upper.to_ascii_lowercase().replace('_', "-"))
    } else {
        Err(format!(
            "State `{state}` is not a Slurm job state; allowed: {} (optionally followed by ` by UID`)",
            STATES.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_a_rule() {
        let r = TagRule::parse("phase=pretraining:^pt-").unwrap();
        assert_eq!(
            (r.key.as_str(), r.field.as_str(), r.value.as_deref()),
            ("phase", "JobName", Some("pretraining"))
        );
        let r = TagRule::parse("queue@partition=big:^gpu-xl$").unwrap();
        assert_eq!(r.field, "Partition");
        let r = TagRule::parse("module=^[a-z]+-([a-z]+)-").unwrap();
        assert_eq!(r.value, None);
        assert_eq!(r.apply("pt-helium-3").as_deref(), Some("helium"));
        assert_eq!(r.apply("x"), None);
        // A regex starting with a group is not a VALUE: prefix.
        let r = TagRule::parse("k=(?:a|b):c").unwrap();
        assert_eq!(r.value, None);
        assert_eq!(r.apply("zz-a:c").as_deref(), Some("a:c"));
        let r = TagRule::parse(r"k=word\:x").unwrap();
        assert_eq!(r.value, None);
        assert_eq!(r.apply("word:x").as_deref(), Some("word:x"));
    }

    #[test]
    fn refusals_name_the_argument() {
        for bad in [
            "phase",
            "=x:y",
            "ph ase=x:y",
            "outcome=x:y",
            "k=unmatched:x",
            "k=v:",
            "k=v:(",
            "k@a b=x",
            "phase:pt=^pt-",
        ] {
            let e = TagRule::parse(bad).unwrap_err();
            assert!(e.starts_with(&format!("--tag-by {bad}: ")), "{e}");
        }
    }

    #[test]
    fn value_before_the_equals_sign_gets_a_hint() {
        let e = TagRule::parse("phase:pretraining=^pt-").unwrap_err();
        assert!(e.contains("did you mean `phase=pretraining:^pt-`?"), "{e}");
    }

    #[test]
    fn first_matching_rule_wins_and_misses_are_unmatched() {
        let rules = ["p=a:^x", "p=b:^xy", "q@Partition=^(.*)$"]
            .iter()
            .map(|t| TagRule::parse(t).unwrap())
            .collect();
        let t = Tagger::new(rules);
        let cell = |f: &str| if f == "JobName" { "xyz" } else { "gpu" };
        assert_eq!(
            t.tag(cell),
            vec![("p".into(), "a".into()), ("q".into(), "gpu".into())]
        );
        let t = Tagger::new(vec![TagRule::parse("p=a:^q").unwrap()]);
        assert_eq!(t.tag(|_| "xyz")[0].1, UNMATCHED);
    }

    #[test]
    fn outcomes() {
        assert_eq!(outcome("COMPLETED").unwrap(), "completed");
        assert_eq!(outcome("CANCELLED by 1234").unwrap(), "cancelled");
        assert_eq!(outcome("CANCELLED+").unwrap(), "cancelled");
        assert_eq!(outcome("OUT_OF_MEMORY").unwrap(), "out-of-memory");
        assert_eq!(outcome("NODE_FAIL").unwrap(), "node-fail");
        assert!(outcome("DONE").unwrap_err().contains("allowed: BOOT_FAIL"));
        assert!(outcome("").is_err());
    }
}
