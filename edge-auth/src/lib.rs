//! Sign-in at the edge: check htpasswd (bcrypt) users and share links, issue CloudFront signed
//! cookies.
//!
//! Pure computation: no I/O, no clock, no randomness of its own. Deployed, the Node.js shim
//! (`edge-auth/shim/index.mjs`) passes in the configuration, each CloudFront origin-request event,
//! the time and random bytes through a plain C ABI ([`abi`], wasm32 only). Its only workspace
//! dependency is `shoebox_core` (key and URL schemes, the sign-in pages).
//!
//! - [`EdgeConfig`] (the JSON configuration) → [`Auth`] (key parsed once, users loaded).
//! - [`Auth::handle`]: a CloudFront request event in, a CloudFront response out ([`handler`]).
//! - [`Access`]: share links and people limited to one album, as `shoebox` stores them.
//! - [`cookies`]: the one owner of the signed-cookie format (policy, CloudFront base64, signing).
//! - [`verify`]: checking signed cookies as CloudFront does (the local gate).
//! - [`htpasswd`]: bcrypt users with equal cost for unknown users.
//! - [`redirect::safe_next`]: same-site redirect targets only.
//! - [`share`]: share-link tokens (HMAC-SHA256) that open one album until a date.

#[cfg(target_arch = "wasm32")]
pub mod abi;
pub mod access;
pub mod auth;
pub mod config;
pub mod cookies;
pub mod event;
pub mod handler;
pub mod htpasswd;
pub mod redirect;
pub mod share;
pub mod verify;

pub use access::{Access, Scope, ShareLink};
pub use auth::{Auth, ConfigError};
pub use config::EdgeConfig;
pub use cookies::HashAlgorithm;
pub use event::{CfRequest, CfResponse};
