//! gongkai-rules (placeholder, being built)
