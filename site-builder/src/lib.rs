//! The site builder's data layer: one data file per album, kept current by applying SiteQueue
//! messages, so one new photo never needs a listing of the gallery.
//!
//! - [`metadata`]: `album.yml` (title, description, cover, sort, date, captions); a broken file
//!   logs a clear error and the album keeps its defaults.
//! - [`album`]: [`AlbumData`], the per-album data file, and [`apply`](album::apply) of one
//!   message to it (newer wins, replays change nothing, stale deletions are ignored).
//! - [`gallery`]: [`GallerySummary`] (`_data/gallery.json`): titles, counts, covers, date
//!   ranges and nesting of every album, for the index and parent albums.
//! - [`update`]: applies a batch through an [`shared::ObjectStore`], one read and at most one
//!   write per touched album.
//!
//! Rendering the pages (templates, assets, lightbox) is not built yet; see the site-builder issue.

pub mod album;
pub mod gallery;
pub mod metadata;
pub mod update;

pub use album::{apply, AlbumData, Applied};
pub use gallery::{AlbumSummary, GallerySummary};
pub use metadata::{AlbumMetadata, MetadataError, SortOrder};
pub use update::{apply_batch, BatchReport};
