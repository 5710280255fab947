//! `mps` builds a council's commissioning framework and short-form, infographic Market Position
//! Statement into a static website from Markdown and YAML.
//!
//! # Architecture
//!
//! Data flows one way, and each module imports only from the floors below its own (there are
//! no import circles):
//!
//! 1. **Model and loading**: [`error`] (with source positions), `urls`, [`money`], `format`,
//!    `colour`, `sanitise`, [`markdown`] (Markdown to HTML, and the one HTML escape) and
//!    [`chartdef`] (the chart schema); `source` (reads a file as text) and `yaml` (the only
//!    module that knows the YAML crates); [`config`] (`site.yaml`), [`model`] (the typed site),
//!    [`markets`] (market files: loading, checks and warnings), [`content`] (reads the files
//!    into the model) and [`words`] (the theme's words in each language).
//! 2. **Facts**: [`facts`], each rule of the plan written once (end dates, pipeline and large
//!    flags, theme totals, the largest order, editions compared, generated pages' addresses).
//! 3. **Charts, open data and views**: `charts` (data resolution, summary text, drawing),
//!    [`opendata`], `views` and `market_views` (the data as templates see it), all made from the
//!    model and its facts.
//! 4. **Validate**: `validate` checks the model (charts and markets included) and reports every
//!    problem.
//! 5. **Derive**: [`derive::Derived`], made once per build from the valid model, holds every
//!    fact a page, a download or a chart shows; everything above reads it.
//! 6. **Render**: `templates` (the site's look), `pages` (the page plan), `render`, `search`,
//!    `feeds`, `market_files` and `extras` (files besides pages), with [`links`] checking the
//!    result and `memo` letting the preview reuse pages.
//! 7. **Output**: `output` writes a finished build beside the old one and swaps it in.
//! 8. **Build**: [`mod@build`] runs the pipeline.
//! 9. **Commands**: [`check`], [`scaffold`] (`init`, `new`) and [`serve`] (the preview);
//!    `src/main.rs` is the command line.
//!
//! `python3 scripts/import-floors.py` draws the graph and fails on a circle.
//!
//! Modules the command line and the tests use are public; the rest are `pub(crate)`.

// The library never unwraps, expects or panics on what a user can influence; its tests may.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod build;
pub mod chartdef;
pub(crate) mod charts;
pub mod check;
pub(crate) mod colour;
pub mod config;
pub mod content;
pub mod derive;
pub mod error;
pub(crate) mod extras;
pub mod facts;
pub(crate) mod feeds;
pub mod format;
pub mod links;
pub mod markdown;
pub(crate) mod market_files;
pub(crate) mod market_views;
pub mod markets;
pub(crate) mod memo;
pub mod model;
pub mod money;
pub mod opendata;
pub(crate) mod output;
pub(crate) mod pages;
pub(crate) mod render;
pub(crate) mod sanitise;
pub mod scaffold;
pub(crate) mod search;
pub mod serve;
pub(crate) mod source;
pub(crate) mod templates;
pub mod translations;
pub(crate) mod urls;
pub(crate) mod validate;
pub(crate) mod views;
pub mod words;
pub(crate) mod yaml;

pub use build::{build, BuildOptions, BuildSummary};
pub use error::{Diagnostic, Error, Result};
