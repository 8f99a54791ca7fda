//! Prints the page model of a stored page as JSON:
//! `cargo run -p gongkai-page --example analyze -- URL FILE [content-type]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(file)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: analyze URL FILE [content-type]");
        std::process::exit(2);
    };
    let url = match url::Url::parse(url) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("bad url: {e}");
            std::process::exit(2);
        }
    };
    let body = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {file}: {e}");
            std::process::exit(2);
        }
    };
    let start = std::time::Instant::now();
    let model = gongkai_page::analyze(&url, &body, args.get(3).map(String::as_str));
    let took = start.elapsed();
    println!(
        "{}",
        serde_json::to_string_pretty(&model).unwrap_or_default()
    );
    eprintln!("analyzed {} bytes in {took:?}", body.len());
}
