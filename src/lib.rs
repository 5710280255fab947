//! `mps` builds a council's commissioning framework and short-form, infographic Market Position
//! Statement into a static website from Markdown and YAML.
//!
//! Data flows one way: [`content`] loads files into the [`model`], [`validate`] checks it,
//! [`pages`] and [`render`] turn it into HTML, [`links`] checks the result, and [`output`] swaps
//! it in atomically. [`build`] runs that pipeline.

pub mod build;
pub mod chartdef;
pub mod charts;
pub mod check;
pub mod colour;
pub mod config;
pub mod content;
pub mod derive;
pub mod error;
pub mod extras;
pub mod facts;
pub mod feeds;
pub mod format;
pub mod links;
pub mod markdown;
pub mod markets;
pub mod memo;
pub mod model;
pub mod opendata;
pub mod output;
pub mod pages;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod templates;
pub mod urls;
pub mod validate;
pub mod views;
pub mod yaml;

pub use build::{build, BuildOptions, BuildSummary};
pub use error::{Diagnostic, Error, Result};
