//! Label sets: whatever holds a series' labels lends them to the encoder
//! through a visitor, so no producer has to build an intermediate list.

use core::convert::Infallible;

use crate::name::LabelName;

/// Receives the labels of one series, in order.
///
/// The encoder implements it to write labels; producers only call it.
///
/// ```
/// use otel_prom_core::{LabelName, LabelSet, LabelVisitor};
///
/// struct Collect(Vec<String>);
/// impl LabelVisitor for Collect {
///     type Error = ();
///     fn label(&mut self, name: LabelName<'_>, value: &str) -> Result<(), ()> {
///         self.0.push(format!("{}={value}", name.as_str()));
///         Ok(())
///     }
/// }
/// let labels = [(LabelName::new("a").unwrap(), "1")];
/// let mut c = Collect(Vec::new());
/// labels.visit(&mut c).unwrap();
/// assert_eq!(c.0, ["a=1"]);
/// ```
pub trait LabelVisitor {
    /// What stops the visit (the sink's error when encoding).
    type Error;
    /// One label. Values are raw text; the encoder escapes them.
    fn label(&mut self, name: LabelName<'_>, value: &str) -> Result<(), Self::Error>;
}

/// A series' labels. Implemented for slices and arrays of
/// `(LabelName, &str)`, for `()` (no labels), for references, and for pairs
/// `(A, B)` so that label sets can be chained without copying (scope labels,
/// then attributes, for example).
///
/// ```
/// use otel_prom_core::{LabelName, LabelSet};
/// let job = [(LabelName::new("job").unwrap(), "api")];
/// let code = [(LabelName::new("code").unwrap(), "200")];
/// let both = (&job[..], &code[..]);
/// assert_eq!(both.label_chars(), "jobapicode200".len());
/// ```
pub trait LabelSet {
    /// Calls `visitor.label` once per label, in output order.
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error>;

    /// Combined length in Unicode code points of all label names and values,
    /// the measure OpenMetrics limits to 128 for exemplars.
    ///
    /// ```
    /// use otel_prom_core::{LabelName, LabelSet};
    /// let l = [(LabelName::new("trace_id").unwrap(), "é")];
    /// assert_eq!(l.label_chars(), 9);
    /// ```
    fn label_chars(&self) -> usize {
        struct Count(usize);
        impl LabelVisitor for Count {
            type Error = Infallible;
            fn label(&mut self, name: LabelName<'_>, value: &str) -> Result<(), Infallible> {
                self.0 += name.as_str().chars().count() + value.chars().count();
                Ok(())
            }
        }
        let mut c = Count(0);
        match self.visit(&mut c) {
            Ok(()) => c.0,
            Err(never) => match never {},
        }
    }
}

impl LabelSet for () {
    fn visit<V: LabelVisitor>(&self, _: &mut V) -> Result<(), V::Error> {
        Ok(())
    }
}

impl<T: LabelSet + ?Sized> LabelSet for &T {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        (**self).visit(visitor)
    }
}

impl<S: AsRef<str>> LabelSet for [(LabelName<'_>, S)] {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        for (name, value) in self {
            visitor.label(*name, value.as_ref())?;
        }
        Ok(())
    }
}

impl<S: AsRef<str>, const N: usize> LabelSet for [(LabelName<'_>, S); N] {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        self[..].visit(visitor)
    }
}

impl<A: LabelSet, B: LabelSet> LabelSet for (A, B) {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        self.0.visit(visitor)?;
        self.1.visit(visitor)
    }
}

impl<T: LabelSet> LabelSet for Option<T> {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        match self {
            Some(t) => t.visit(visitor),
            None => Ok(()),
        }
    }
}
