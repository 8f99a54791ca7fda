//! The regexes of page analysis, compiled once, with search caches that go with their thread.
//!
//! A `regex::Regex` keeps a search cache (lazy DFA states, sparse sets sized by its NFA) for
//! each thread that searches with it, for as long as the regex lives: in a `static`, for the
//! whole process. Page analysis runs on the crawl's blocking threads, so a scan carried the
//! crawl's ~9 MB of regex caches through its rules phase (issue 11: most of what a 100,000-page
//! scan held beyond `check` of the same crawl; found with jemalloc's heap profiler). A
//! [`ThreadRegex`] compiles once; each thread searches with its own clone (a clone shares the
//! compiled program and has caches of its own), kept in a thread-local table and freed, caches
//! included, when the thread exits.

use regex::Regex;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

/// Slots handed out so far (slot 0 means "none yet").
static SLOTS: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// This thread's clones, by slot.
    static CLONES: RefCell<Vec<Option<Rc<Regex>>>> = const { RefCell::new(Vec::new()) };
}

/// A regex a `static` names, searched with per thread (see the module doc).
pub struct ThreadRegex {
    compiled: LazyLock<Regex, fn() -> Regex>,
    slot: AtomicUsize,
}

impl ThreadRegex {
    /// The regex `build` makes (on first use).
    pub const fn new(build: fn() -> Regex) -> Self {
        ThreadRegex {
            compiled: LazyLock::new(build),
            slot: AtomicUsize::new(0),
        }
    }

    fn slot(&self) -> usize {
        match self.slot.load(Ordering::Relaxed) {
            0 => {
                let new = SLOTS.fetch_add(1, Ordering::Relaxed);
                // Two threads racing here agree on the first slot stored.
                match self
                    .slot
                    .compare_exchange(0, new, Ordering::Relaxed, Ordering::Relaxed)
                {
                    Ok(_) => new,
                    Err(first) => first,
                }
            }
            s => s,
        }
    }

    /// This thread's clone of the regex, made on its first use here.
    pub fn re(&self) -> Rc<Regex> {
        let slot = self.slot();
        CLONES.with(|table| {
            if let Some(Some(re)) = table.borrow().get(slot) {
                return re.clone();
            }
            let re = Rc::new(Regex::clone(&self.compiled));
            let mut table = table.borrow_mut();
            if table.len() <= slot {
                table.resize(slot + 1, None);
            }
            table[slot] = Some(re.clone());
            re
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static DIGITS: ThreadRegex = ThreadRegex::new(|| Regex::new(r"\d+").expect("static regex"));
    static HAN: ThreadRegex = ThreadRegex::new(|| Regex::new(r"\p{Han}+").expect("static regex"));

    #[test]
    fn each_thread_searches_with_its_own_clone_and_gets_the_same_answers() {
        let here = DIGITS.re();
        assert!(Rc::ptr_eq(&here, &DIGITS.re()), "cloned once per thread");
        assert_eq!(HAN.re().find("ab滕州12").unwrap().as_str(), "滕州");
        let other = std::thread::spawn(|| {
            let re = DIGITS.re();
            (
                re.find("x2024y").unwrap().as_str().to_string(),
                Rc::as_ptr(&re) as usize,
            )
        })
        .join()
        .unwrap();
        assert_eq!(other.0, "2024");
        assert_ne!(
            other.1,
            Rc::as_ptr(&here) as usize,
            "another thread's own copy"
        );
        assert_ne!(DIGITS.slot(), HAN.slot());
    }
}
