//! Integration tests of the report writers, one module per writer.

mod browser;
mod common;
mod csv;
mod html;
mod text_outputs;
mod track;
mod warc;
mod xlsx;
