//! Login and logout at the edge: it will check htpasswd users and issue CloudFront signed cookies.
//!
//! Nothing lives here yet. The work is tracked by the edge-login issue; until it lands, the crate
//! holds no code so that nothing pretends to authenticate anyone.
