//! The site builder's data layer: one data file per album, kept current by applying SiteQueue
//! messages, so one new photo never needs a listing of the gallery.
//!
//! - [`metadata`]: `album.yml` (title, description, cover, sort, date, captions); a broken file
//!   logs a clear error and the album keeps its defaults.
//! - [`album`]: [`AlbumData`], an album's data, and [`apply`](album::apply) of one message to it
//!   (newer wins, replays change nothing, stale deletions are ignored).
//! - [`album_file`]: how an album's data is stored: a small head naming content-named chunks, so
//!   one new photo rewrites a chunk and the head, not the album.
//! - [`cuts`]: the content-defined cuts behind the data's chunks and the grid's parts.
//! - [`gallery`]: [`GallerySummary`] (one data file for the gallery): titles, counts, covers, date
//!   ranges and nesting of every album, for the index and parent albums.
//! - [`update`]: applies a batch through an [`shared::ObjectStore`], one read and at most one
//!   write per touched album.
//!
//! - [`render`]: [`render::Renderer`] turns album data into the index, album and 404 pages
//!   (Handlebars templates embedded in the binary; writes skip unchanged bytes).
//! - [`parts`]: a big album's grid cut into content-defined parts the page loads as the visitor
//!   scrolls, so the page stays small and an update rewrites one part, not the album.
//! - [`assets`]: the stylesheet and browser modules (our `gallery.js`; PhotoSwipe and ThumbHash
//!   installed from npm by `build.rs`), published under content-hashed keys.
//! - [`theme`]: templates and a stylesheet that replace the embedded ones.
//!
//! - [`site`]: [`update_site`]: a batch end to end, rendering only the touched pages.
//! - [`rebuild`]: [`rebuild_all`] from the manifests; [`lambda`]: the SQS adapter.

pub mod album;
pub mod album_file;
pub mod assets;
pub mod cuts;
pub mod gallery;
pub mod lambda;
pub mod live;
pub mod metadata;
pub mod parts;
pub mod rebuild;
pub mod render;
pub mod site;
pub mod theme;
pub mod update;

pub use album::{apply, AlbumData, Applied};
pub use gallery::{AlbumSummary, GallerySummary};
pub use metadata::{AlbumMetadata, MetadataError, SortOrder};
pub use rebuild::rebuild_all;
pub use render::Renderer;
pub use site::{render_all, update_site, SiteReport};
pub use theme::Theme;
pub use update::{apply_batch, BatchReport};
