//! Exporter options: the specification's names, plus the
//! `opentelemetry-prometheus` builder names so migration is a rename.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use opentelemetry::Key;
use otel_prom_core::Strategy;

/// Which resource attributes are copied onto every sample as labels
/// (`resource_constant_labels`). They always stay in `target_info`.
///
/// ```
/// use otel_prom_std::ResourceSelector;
/// let s = ResourceSelector::allow(["service.name"]);
/// assert!(s.selects(&"service.name".into()));
/// assert!(!s.selects(&"host.name".into()));
/// ```
#[derive(Clone, Default)]
pub enum ResourceSelector {
    /// None (the default).
    #[default]
    None,
    /// Every resource attribute.
    All,
    /// Only these keys.
    Allow(HashSet<Key>),
    /// Every key except these.
    Deny(HashSet<Key>),
    /// Keys the predicate accepts.
    Predicate(Arc<dyn Fn(&Key) -> bool + Send + Sync>),
}

impl ResourceSelector {
    /// An allow-list.
    ///
    /// ```
    /// let _ = otel_prom_std::ResourceSelector::allow(["service.name"]);
    /// ```
    pub fn allow<K: Into<Key>>(keys: impl IntoIterator<Item = K>) -> Self {
        ResourceSelector::Allow(keys.into_iter().map(Into::into).collect())
    }

    /// A deny-list.
    ///
    /// ```
    /// let s = otel_prom_std::ResourceSelector::deny(["host.name"]);
    /// assert!(s.selects(&"service.name".into()));
    /// ```
    pub fn deny<K: Into<Key>>(keys: impl IntoIterator<Item = K>) -> Self {
        ResourceSelector::Deny(keys.into_iter().map(Into::into).collect())
    }

    /// A predicate.
    ///
    /// ```
    /// let s = otel_prom_std::ResourceSelector::predicate(|k| k.as_str().starts_with("service."));
    /// assert!(s.selects(&"service.name".into()));
    /// ```
    pub fn predicate(f: impl Fn(&Key) -> bool + Send + Sync + 'static) -> Self {
        ResourceSelector::Predicate(Arc::new(f))
    }

    /// Whether `key` is copied onto samples.
    ///
    /// ```
    /// assert!(otel_prom_std::ResourceSelector::All.selects(&"x".into()));
    /// ```
    pub fn selects(&self, key: &Key) -> bool {
        match self {
            ResourceSelector::None => false,
            ResourceSelector::All => true,
            ResourceSelector::Allow(keys) => keys.contains(key),
            ResourceSelector::Deny(keys) => !keys.contains(key),
            ResourceSelector::Predicate(f) => f(key),
        }
    }
}

impl fmt::Debug for ResourceSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceSelector::None => f.write_str("None"),
            ResourceSelector::All => f.write_str("All"),
            ResourceSelector::Allow(k) => f.debug_tuple("Allow").field(k).finish(),
            ResourceSelector::Deny(k) => f.debug_tuple("Deny").field(k).finish(),
            ResourceSelector::Predicate(_) => f.write_str("Predicate(..)"),
        }
    }
}

impl From<opentelemetry_sdk::Resource> for ResourceSelector {
    /// Selects the keys present in a resource (handy in tests).
    fn from(resource: opentelemetry_sdk::Resource) -> Self {
        ResourceSelector::Allow(resource.iter().map(|(k, _)| k.clone()).collect())
    }
}

/// The exporter's configuration.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) strategy: Strategy,
    pub(crate) units: bool,
    pub(crate) counter_suffixes: bool,
    pub(crate) scope_info: bool,
    pub(crate) target_info: bool,
    pub(crate) resource_labels: ResourceSelector,
    pub(crate) namespace: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            strategy: Strategy::UnderscoreEscapingWithSuffixes,
            units: true,
            counter_suffixes: true,
            scope_info: true,
            target_info: true,
            resource_labels: ResourceSelector::None,
            namespace: None,
        }
    }
}
