//! gongkai-report (placeholder, being built)
