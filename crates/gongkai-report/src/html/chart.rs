//! The trend chart: errors and warnings per run as an inline SVG line chart.

use crate::model::TrendPoint;
use crate::text::escape_html;
use std::fmt::Write;

const W: f64 = 760.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// A "nice" axis maximum ≥ `max` (1, 2 or 5 times a power of ten).
fn nice_max(max: u64) -> u64 {
    if max <= 5 {
        return 5;
    }
    let mut p = 1u64;
    loop {
        for m in [1, 2, 5] {
            if p * m >= max {
                return p * m;
            }
        }
        p *= 10;
    }
}

/// Renders the chart; a short note when there are no points.
pub fn trend_svg(points: &[TrendPoint]) -> String {
    if points.is_empty() {
        return "<p class=\"muted\">暂无历史运行数据。</p>".to_string();
    }
    let max = points
        .iter()
        .map(|p| p.errors.max(p.warnings))
        .max()
        .unwrap_or(0);
    let ymax = nice_max(max) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let n = points.len();
    let x = |i: usize| {
        if n == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| TOP + plot_h - plot_h * v as f64 / ymax;

    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"100%\" \
         style=\"max-width:{W}px\" role=\"img\" aria-label=\"历次运行错误与警告数量趋势\">"
    );
    // Grid and y labels.
    for k in 0..=5 {
        let v = (ymax * k as f64 / 5.0).round() as u64;
        let yy = y(v);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"#e5e8e8\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0
        );
    }
    // X labels: at most about 10.
    let step = n.div_ceil(10).max(1);
    for (i, p) in points.iter().enumerate() {
        if i % step == 0 || i == n - 1 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x(i),
                H - BOTTOM + 16.0,
                escape_html(&p.date)
            );
        }
    }
    type Series = (&'static str, &'static str, fn(&TrendPoint) -> u64);
    let series: [Series; 2] = [
        ("错误", "#c0392b", |p| p.errors),
        ("警告", "#d68910", |p| p.warnings),
    ];
    for (si, (name, color, get)) in series.iter().enumerate() {
        let pts: Vec<String> = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(get(p))))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
        for (i, p) in points.iter().enumerate() {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{color}\"><title>运行 {} · {} · {name} {}</title></circle>",
                x(i),
                y(get(p)),
                p.run_id,
                escape_html(&p.date),
                get(p)
            );
        }
        // Legend.
        let lx = LEFT + 10.0 + si as f64 * 80.0;
        let _ = write!(
            s,
            "<rect x=\"{lx:.1}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{color}\"/>\
             <text x=\"{:.1}\" y=\"18\">{name}</text>",
            lx + 16.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice() {
        assert_eq!(nice_max(0), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(201), 500);
    }

    #[test]
    fn one_point_and_none() {
        assert!(trend_svg(&[]).contains("暂无"));
        let svg = trend_svg(&[TrendPoint {
            run_id: 1,
            date: "2026-01-01".into(),
            errors: 3,
            warnings: 1,
            notices: 0,
        }]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("NaN"));
    }
}
