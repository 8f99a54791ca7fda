//! gongkai-store (placeholder, being built)
