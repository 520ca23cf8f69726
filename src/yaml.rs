//! YAML values as `artifacts.yaml`, `.gto` and `.registry.yaml` are read and written: our own
//! tree, and the one file that names the YAML crate, so swapping the crate changes this file.
//!
//! [`Value`] is owned data callers match on. Numbers and tagged values stay the crate's, wrapped,
//! because their text and equality are the crate's business and nothing here looks inside them.
//! Debug output (messages quote it), JSON and YAML text convert back to the crate's value and let
//! it speak, so every message, `--json` shape and edited line is byte for byte the crate's.
//!
//! The crate is `yaml_serde`, the maintained fork of the archived serde_yaml (Cargo.toml says
//! why); swapping it is a change to this file alone.

use std::fmt;
use std::hash::{Hash, Hasher};

use indexmap::IndexMap;
use serde::{Serialize, Serializer};

/// One YAML node, as parsed (anchors and aliases resolved, `<<` merge keys left as written).
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Sequence(Vec<Value>),
    Mapping(Mapping),
    /// `!tag value`: kept whole so that equality and rendering see it; nothing reads inside it.
    Tagged(Tagged),
}

/// A YAML number (an integer or a float, `.inf` and `.nan` included).
#[derive(Clone, PartialEq, Hash)]
pub struct Number(yaml_serde::Number);

// The crate's number equality holds NaN equal to NaN (YAML has one NaN), so it is a full
// equivalence, which mapping keys need; the crate's own value claims `Eq` on the same grounds.
impl Eq for Number {}

/// A tagged node (`!tag value`), opaque.
#[derive(Clone, PartialEq, Hash)]
pub struct Tagged(Box<yaml_serde::value::TaggedValue>);

// A tag and a value, each compared by an equivalence (see `Number`).
impl Eq for Tagged {}

/// A YAML mapping: keys are any node, file order is kept, equality ignores order (as YAML's).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Mapping(IndexMap<Value, Value>);

/// Why a text is not YAML, in the crate's words.
pub struct Error(yaml_serde::Error);

impl Value {
    /// Parses one YAML document.
    pub fn parse(text: &str) -> Result<Value, Error> {
        yaml_serde::from_str::<yaml_serde::Value>(text)
            .map(Value::from_crate)
            .map_err(Error)
    }

    /// The value as a YAML document (a scalar is one line plus a newline); empty if the crate
    /// cannot write it.
    pub fn to_yaml(&self) -> String {
        yaml_serde::to_string(&self.to_crate()).unwrap_or_default()
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self, Value::Mapping(_))
    }

    /// Whether a YAML tag (`!custom x`) stands anywhere in the value: DVC's loader (and GTO's)
    /// has no constructor for one and refuses the whole file.
    pub fn has_tag(&self) -> bool {
        match self {
            Value::Tagged(_) => true,
            Value::Sequence(items) => items.iter().any(Value::has_tag),
            Value::Mapping(m) => m.iter().any(|(k, v)| k.has_tag() || v.has_tag()),
            _ => false,
        }
    }

    fn from_crate(value: yaml_serde::Value) -> Value {
        match value {
            yaml_serde::Value::Null => Value::Null,
            yaml_serde::Value::Bool(b) => Value::Bool(b),
            yaml_serde::Value::Number(n) => Value::Number(Number(n)),
            yaml_serde::Value::String(s) => Value::String(s),
            yaml_serde::Value::Sequence(items) => {
                Value::Sequence(items.into_iter().map(Value::from_crate).collect())
            }
            yaml_serde::Value::Mapping(m) => Value::Mapping(Mapping::from_crate(m)),
            yaml_serde::Value::Tagged(t) => Value::Tagged(Tagged(t)),
        }
    }

    fn to_crate(&self) -> yaml_serde::Value {
        match self {
            Value::Null => yaml_serde::Value::Null,
            Value::Bool(b) => yaml_serde::Value::Bool(*b),
            Value::Number(n) => yaml_serde::Value::Number(n.0.clone()),
            Value::String(s) => yaml_serde::Value::String(s.clone()),
            Value::Sequence(items) => {
                yaml_serde::Value::Sequence(items.iter().map(Value::to_crate).collect())
            }
            Value::Mapping(m) => yaml_serde::Value::Mapping(m.to_crate()),
            Value::Tagged(t) => yaml_serde::Value::Tagged(t.0.clone()),
        }
    }
}

impl Mapping {
    pub fn new() -> Mapping {
        Mapping::default()
    }

    /// The value under the string key `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(&StrKey(key))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(&StrKey(key))
    }

    /// Sets `key` to `value`: in place if the key is there, else at the end.
    pub fn insert(&mut self, key: Value, value: Value) -> Option<Value> {
        self.0.insert(key, value)
    }

    /// The value under the string key `key`, first set to null at the end if it is absent.
    pub fn get_or_insert_null(&mut self, key: &str) -> &mut Value {
        self.0
            .entry(Value::String(key.to_string()))
            .or_insert(Value::Null)
    }

    /// Takes out the string key `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.shift_remove(&StrKey(key))
    }

    /// Entries in file order.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.0.iter())
    }

    /// Keys in file order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.0.keys()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn from_crate(m: yaml_serde::Mapping) -> Mapping {
        Mapping(
            m.into_iter()
                .map(|(k, v)| (Value::from_crate(k), Value::from_crate(v)))
                .collect(),
        )
    }

    fn to_crate(&self) -> yaml_serde::Mapping {
        self.0
            .iter()
            .map(|(k, v)| (k.to_crate(), v.to_crate()))
            .collect()
    }
}

impl Error {
    /// The 1-based line and column where parsing stopped, when the crate knows it.
    pub fn location(&self) -> Option<(usize, usize)> {
        self.0.location().map(|l| (l.line(), l.column()))
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number(n.into())
    }
}

/// A mapping's entries in file order, by reference. Our own type, not the map crate's, so
/// callers never name `indexmap` (an associated type cannot be `impl Iterator` on stable Rust).
pub struct Iter<'a>(indexmap::map::Iter<'a, Value, Value>);

/// A mapping's entries in file order, owned. Our own type, for the same reason as [`Iter`].
pub struct IntoIter(indexmap::map::IntoIter<Value, Value>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Value, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl Iterator for IntoIter {
    type Item = (Value, Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for IntoIter {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back()
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Mapping {
    type Item = (Value, Value);
    type IntoIter = IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        IntoIter(self.0.into_iter())
    }
}

impl<'a> IntoIterator for &'a Mapping {
    type Item = (&'a Value, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<(Value, Value)> for Mapping {
    fn from_iter<I: IntoIterator<Item = (Value, Value)>>(iter: I) -> Mapping {
        Mapping(iter.into_iter().collect())
    }
}

// A string key hashes as `Value::String` does, so `get("name")` needs no allocation; this is
// why `Value`'s `Hash` is written out rather than derived (a derive would not promise the layout).
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Number(n) => n.hash(state),
            Value::String(s) => s.hash(state),
            Value::Sequence(items) => items.hash(state),
            Value::Mapping(m) => m.hash(state),
            Value::Tagged(t) => t.hash(state),
        }
    }
}

/// A `&str` looked up among `Value` keys.
struct StrKey<'a>(&'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(&Value::String(String::new())).hash(state);
        self.0.hash(state);
    }
}

impl indexmap::Equivalent<Value> for StrKey<'_> {
    fn equivalent(&self, key: &Value) -> bool {
        key.as_str() == Some(self.0)
    }
}

// Equal mappings hash alike whatever their order: each pair is hashed alone and the results are
// combined with xor.
impl Hash for Mapping {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut xor = 0;
        for (k, v) in &self.0 {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            k.hash(&mut hasher);
            v.hash(&mut hasher);
            xor ^= hasher.finish();
        }
        xor.hash(state);
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_crate(), f)
    }
}

impl fmt::Debug for Mapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_crate(), f)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Debug for Tagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_crate().serialize(serializer)
    }
}

impl Serialize for Mapping {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_crate().serialize(serializer)
    }
}
