//! gongkai-fixture (placeholder, being built)
