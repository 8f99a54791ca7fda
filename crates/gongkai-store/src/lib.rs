//! gongkai-store (being built)
