//! Login and logout at the edge: check htpasswd (bcrypt) users and issue CloudFront signed cookies.
//!
//! Pure computation: no I/O, no clock, no randomness of its own. The Node.js shim
//! (`edge-auth/shim/index.mjs`) passes in the configuration, the CloudFront viewer-request event,
//! the time and random bytes through a plain C ABI ([`abi`], wasm32 only).
//!
//! - [`EdgeConfig`] → [`Auth`]: configuration parsed once (private key, users).
//! - [`Auth::handle`]: a CloudFront request event in, a CloudFront response out.
//! - [`cookies`]: the one owner of the signed-cookie format (policy, CloudFront base64, signing).
//! - [`htpasswd`]: bcrypt users with equal cost for unknown users.
//! - [`redirect::safe_next`]: same-site redirect targets only.
//! - [`share`]: share-link tokens (HMAC-SHA256) that open one album until a date.

#[cfg(target_arch = "wasm32")]
pub mod abi;
pub mod config;
pub mod cookies;
pub mod event;
pub mod handler;
pub mod htpasswd;
pub mod page;
pub mod redirect;
pub mod share;
pub mod verify;

pub use config::{Access, Auth, ConfigError, EdgeConfig, HashAlgorithm, Scope, ShareLink};
pub use event::{CfRequest, CfResponse};
