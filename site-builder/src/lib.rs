//! The site builder: it will turn photo manifests into album pages.
//!
//! Nothing lives here yet. The work is tracked by the site-builder issue; until it lands, the
//! crate holds no code so that nothing pretends to render a site.
