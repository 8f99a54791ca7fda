//! The regexes of page analysis, compiled once per thread and dropped with it.
//!
//! A `regex::Regex` keeps a search cache (lazy DFA states, sparse sets sized by its NFA) for
//! each thread that searches with it, for as long as the regex lives: in a `static`, for the
//! whole process. Page analysis runs on the crawl's blocking threads, so a scan carried the
//! crawl's ~12 MB of regex caches and programs through its rules phase (issue 11: most of what
//! a 100,000-page scan held beyond `check` of the same crawl). A [`ThreadRegex`] is built by
//! each thread that uses it, kept in that thread's table, and freed when the thread exits.

use regex::Regex;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Slots handed out so far (slot 0 means "none yet").
static SLOTS: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// This thread's regexes, by slot.
    static COMPILED: RefCell<Vec<Option<Rc<Regex>>>> = const { RefCell::new(Vec::new()) };
}

/// A regex a `static` names, built per thread (see the module doc).
pub struct ThreadRegex {
    build: fn() -> Regex,
    slot: AtomicUsize,
}

impl ThreadRegex {
    /// A regex that `build` makes (on first use in each thread).
    pub const fn new(build: fn() -> Regex) -> Self {
        ThreadRegex {
            build,
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

    /// This thread's regex, built on its first use here.
    pub fn re(&self) -> Rc<Regex> {
        let slot = self.slot();
        COMPILED.with(|table| {
            if let Some(Some(re)) = table.borrow().get(slot) {
                return re.clone();
            }
            let re = Rc::new((self.build)());
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
    fn each_thread_builds_its_own_and_every_thread_gets_the_same_answers() {
        let here = DIGITS.re();
        assert!(Rc::ptr_eq(&here, &DIGITS.re()), "built once per thread");
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
