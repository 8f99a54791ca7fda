//! Test support shared by gongkai's test suites, used only as a dev-dependency: a headless
//! Chromium driven over the DevTools protocol by a minimal client on a WebSocket (tungstenite),
//! enough to load a page, evaluate script in it and collect the errors it logged. The HTML
//! report's browser test and the `gongkai serve` browser test both drive it.

pub mod browser;

pub use browser::{chromium_available, problems, Browser, CHROMIUM};
