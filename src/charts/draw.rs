//! Laying out and drawing charts. Layout is pure: each kind becomes a list of [`Mark`]s in a
//! 400-unit-wide box, with text measured in the bundled DejaVu Sans (through plotters'
//! `ab_glyph` feature), so the same data gives the same bytes on every machine. Plotters' SVG
//! backend then draws the marks.
//!
//! The box is narrow on purpose: on a 375 px phone it scales to about 0.86, so 16-unit text
//! reads at nearly 14 px; on a desktop the theme caps the width.

use crate::words::Words;
use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{short, ChartDef, ChartKind, Table, MUTED, TEXT};
use crate::colour::{contrast, parse_hex};

/// Width of every chart's viewBox.
pub const WIDTH: f64 = 400.0;
/// Text size in SVG units.
pub const FONT_SIZE: f64 = 16.0;
const PAD: f64 = 8.0;
const LINE: f64 = 21.0;
const GAP: f64 = 6.0;
/// Plotters writes `font-size` as its size divided by 1.24.
const PLOTTERS_SCALE: f64 = 1.24;
const GRID: &str = "#d5d7d8";

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font with plotters, once per process.
fn font_ready() -> Result<(), String> {
    static READY: OnceLock<bool> = OnceLock::new();
    let ok = *READY.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err("the built-in chart font could not be loaded".into())
    }
}

/// Width of `text` in SVG units, measured with the bundled font.
pub fn text_width(text: &str) -> Result<f64, String> {
    font_ready()?;
    let font = FontDesc::new(
        FontFamily::SansSerif,
        FONT_SIZE * PLOTTERS_SCALE,
        FontStyle::Normal,
    );
    font.box_size(text)
        .map(|(w, _)| w as f64)
        .map_err(|e| format!("could not measure text: {e:?}"))
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One thing to draw, in viewBox units.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: String,
    },
    /// Text centred vertically on `y`.
    Text {
        x: f64,
        y: f64,
        text: String,
        anchor: Anchor,
        colour: String,
    },
    Line {
        points: Vec<(f64, f64)>,
        colour: String,
        width: u32,
    },
    Circle {
        x: f64,
        y: f64,
        r: f64,
        fill: String,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: String,
    },
}

/// A laid-out chart.
#[derive(Debug, Clone)]
pub struct Layout {
    pub height: f64,
    pub marks: Vec<Mark>,
}

impl Layout {
    /// Every piece of text drawn, in order.
    #[cfg(test)]
    pub fn texts(&self) -> Vec<&str> {
        self.marks
            .iter()
            .filter_map(|m| match m {
                Mark::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Checks that a chart can be laid out without overlaps.
pub fn layout_check(def: &ChartDef, t: &Table, w: &Words) -> Result<(), String> {
    layout(def, t, w).map(|_| ())
}

/// The SVG of a chart, with its accessible name and description.
pub fn svg(def: &ChartDef, t: &Table, summary: &str, w: &Words) -> Result<String, String> {
    let l = layout(def, t, w)?;
    let height = l.height.ceil() as u32;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH as u32, height)).into_drawing_area();
        let fail = |e: DrawingAreaErrorKind<_>| format!("could not draw: {e:?}");
        root.fill(&WHITE).map_err(fail)?;
        for m in &l.marks {
            draw_mark(&root, m).map_err(fail)?;
        }
        root.present().map_err(fail)?;
    }
    let body_start = buf
        .find("<svg")
        .and_then(|s| buf[s..].find('>').map(|e| s + e + 1))
        .ok_or("the SVG backend wrote no <svg> element")?;
    let font_attr = format!(
        "font-size=\"{}\"",
        FONT_SIZE * PLOTTERS_SCALE / PLOTTERS_SCALE
    );
    let body = buf[body_start..]
        .replace('\n', "")
        .replace(&font_attr, &format!("font-size=\"{FONT_SIZE}\""));
    let id = &def.id;
    let esc = crate::markdown::html_escape;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart-svg\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-labelledby=\"chart-{id}-title chart-{id}-desc\"><title id=\"chart-{id}-title\">{title}</title><desc id=\"chart-{id}-desc\">{desc}</desc>{body}",
        w = WIDTH,
        title = esc(&def.title),
        desc = esc(summary),
    ))
}

fn rgb(hex: &str) -> RGBColor {
    let (r, g, b) = parse_hex(hex).unwrap_or((0x0b, 0x0c, 0x0c));
    RGBColor(r, g, b)
}

fn pt(x: f64, y: f64) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

fn draw_mark<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    m: &Mark,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    match m {
        Mark::Rect {
            x0,
            y0,
            x1,
            y1,
            fill,
        } => root.draw(&Rectangle::new(
            [pt(*x0, *y0), pt(*x1, *y1)],
            rgb(fill).filled(),
        )),
        Mark::Text {
            x,
            y,
            text,
            anchor,
            colour,
        } => {
            let h = match anchor {
                Anchor::Start => HPos::Left,
                Anchor::Middle => HPos::Center,
                Anchor::End => HPos::Right,
            };
            let c = rgb(colour);
            let style = TextStyle::from(("sans-serif", FONT_SIZE * PLOTTERS_SCALE).into_font())
                .color(&c)
                .pos(Pos::new(h, VPos::Center));
            root.draw(&Text::new(text.clone(), pt(*x, *y), style))
        }
        Mark::Line {
            points,
            colour,
            width,
        } => root.draw(&PathElement::new(
            points.iter().map(|&(x, y)| pt(x, y)).collect::<Vec<_>>(),
            rgb(colour).stroke_width(*width),
        )),
        Mark::Circle { x, y, r, fill } => root.draw(&Circle::new(
            pt(*x, *y),
            r.round() as i32,
            rgb(fill).filled(),
        )),
        Mark::Polygon { points, fill } => root.draw(&Polygon::new(
            points.iter().map(|&(x, y)| pt(x, y)).collect::<Vec<_>>(),
            rgb(fill).filled(),
        )),
    }
}

/// Lays a chart out.
pub fn layout(def: &ChartDef, t: &Table, w: &Words) -> Result<Layout, String> {
    font_ready()?;
    let mut l = Layout {
        height: 0.0,
        marks: Vec::new(),
    };
    let y = match def.kind {
        ChartKind::Bar => bars(def, t, &mut l.marks)?,
        ChartKind::Stacked => stacked(def, t, &mut l.marks, w)?,
        ChartKind::Column => columns(def, t, &mut l.marks)?,
        ChartKind::Line => lines(def, t, &mut l.marks, w)?,
        ChartKind::Timeline => timeline(def, t, &mut l.marks)?,
    };
    l.height = (y + PAD).ceil();
    Ok(l)
}

fn text(x: f64, y: f64, s: impl Into<String>, anchor: Anchor, colour: &str) -> Mark {
    Mark::Text {
        x,
        y,
        text: s.into(),
        anchor,
        colour: colour.into(),
    }
}

/// Wraps `s` into lines no wider than `width`. Returns the lines and whether a single word was
/// too wide to fit (such a word is cut with an ellipsis). With `max_lines`, the last line is
/// cut with an ellipsis when more would be needed.
pub fn wrap(s: &str, width: f64, max_lines: usize) -> Result<(Vec<String>, bool), String> {
    let mut lines: Vec<String> = Vec::new();
    let mut too_wide = false;
    let mut current = String::new();
    for word in s.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate)? <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if text_width(word)? > width {
            too_wide = true;
            lines.push(ellipsis(word, width)?);
        } else {
            current = word.to_string();
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(ellipsis(&rest, width)?);
    }
    Ok((lines, too_wide))
}

/// `s` cut to fit `width`, ending with an ellipsis when cut.
fn ellipsis(s: &str, width: f64) -> Result<String, String> {
    if text_width(s)? <= width {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    for n in (0..chars.len()).rev() {
        let cut: String = chars[..n].iter().collect();
        let cut = format!("{}…", cut.trim_end());
        if text_width(&cut)? <= width {
            return Ok(cut);
        }
    }
    Ok("…".into())
}

/// Swatches and names above a chart with more than one series. `marker` draws line-chart
/// markers instead of squares. Returns the y below the legend.
fn legend(t: &Table, y: f64, marker: bool, out: &mut Vec<Mark>) -> Result<f64, String> {
    if t.series.len() < 2 {
        return Ok(y);
    }
    let mut x = PAD;
    let mut row = y + LINE / 2.0;
    for (i, s) in t.series.iter().enumerate() {
        let name = ellipsis(&s.name, WIDTH - 2.0 * PAD - 24.0)?;
        let w = 24.0 + text_width(&name)?;
        if x > PAD && x + w > WIDTH - PAD {
            x = PAD;
            row += LINE + 4.0;
        }
        if marker {
            out.push(Mark::Line {
                points: vec![(x, row), (x + 18.0, row)],
                colour: s.colour.clone(),
                width: 3,
            });
            out.push(marker_mark(i, x + 9.0, row, &s.colour));
        } else {
            out.push(Mark::Rect {
                x0: x,
                y0: row - 7.0,
                x1: x + 14.0,
                y1: row + 7.0,
                fill: s.colour.clone(),
            });
        }
        out.push(text(x + 22.0, row, name, Anchor::Start, TEXT));
        x += w + 16.0;
    }
    Ok(row + LINE / 2.0 + 10.0)
}

/// Series `i`'s marker: circle, square, triangle, diamond, so shape tells series apart.
fn marker_mark(i: usize, x: f64, y: f64, colour: &str) -> Mark {
    let r = 5.0;
    let fill = colour.to_string();
    match i % 4 {
        0 => Mark::Circle { x, y, r, fill },
        1 => Mark::Rect {
            x0: x - r,
            y0: y - r,
            x1: x + r,
            y1: y + r,
            fill,
        },
        2 => Mark::Polygon {
            points: vec![(x, y - r - 1.0), (x + r + 1.0, y + r), (x - r - 1.0, y + r)],
            fill,
        },
        _ => Mark::Polygon {
            points: vec![
                (x, y - r - 1.0),
                (x + r + 1.0, y),
                (x, y + r + 1.0),
                (x - r - 1.0, y),
            ],
            fill,
        },
    }
}

fn max_value(values: impl Iterator<Item = f64>) -> f64 {
    let m = values.fold(0.0_f64, f64::max);
    if m > 0.0 {
        m
    } else {
        1.0
    }
}

/// The colour of bar `(series, category)`.
fn bar_colour(t: &Table, s: usize, c: usize) -> String {
    match (&t.category_colours, t.series.len()) {
        (Some(cc), 1) => cc
            .get(c)
            .cloned()
            .unwrap_or_else(|| t.series[s].colour.clone()),
        _ => t.series[s].colour.clone(),
    }
}

/// Horizontal bars: each category's label on its own line(s), bars below it, each value at the
/// end of its bar.
fn bars(def: &ChartDef, t: &Table, out: &mut Vec<Mark>) -> Result<f64, String> {
    let multi = t.series.len() > 1;
    let mut y = legend(t, PAD, false, out)?;
    let label = |s: usize, v: f64| {
        if multi {
            format!("{}: {}", t.series[s].name, short(def.unit, v))
        } else {
            short(def.unit, v)
        }
    };
    let mut widest: f64 = 0.0;
    for (si, s) in t.series.iter().enumerate() {
        for &v in &s.values {
            widest = widest.max(text_width(&label(si, v))?);
        }
    }
    let room = WIDTH - 2.0 * PAD - GAP - widest;
    if room < 100.0 {
        return Err("its value labels are too long to leave room for the bars".into());
    }
    let max = max_value(t.series.iter().flat_map(|s| s.values.iter().copied()));
    let bar_h = if multi { 20.0 } else { 24.0 };
    for (c, cat) in t.categories.iter().enumerate() {
        let (lines, _) = wrap(cat, WIDTH - 2.0 * PAD, 2)?;
        for line in lines {
            out.push(text(PAD, y + LINE / 2.0, line, Anchor::Start, TEXT));
            y += LINE;
        }
        y += 2.0;
        axis_line(
            PAD,
            y - 2.0,
            y + (bar_h + 3.0) * t.series.len() as f64 - 1.0,
            out,
        );
        for (si, s) in t.series.iter().enumerate() {
            let v = s.values[c];
            let len = v / max * room;
            out.push(Mark::Rect {
                x0: PAD,
                y0: y,
                x1: PAD + len,
                y1: y + bar_h,
                fill: bar_colour(t, si, c),
            });
            out.push(text(
                PAD + len + GAP,
                y + bar_h / 2.0,
                label(si, v),
                Anchor::Start,
                TEXT,
            ));
            y += bar_h + 3.0;
        }
        y += 11.0;
    }
    Ok(y - 11.0)
}

fn axis_line(x: f64, y0: f64, y1: f64, out: &mut Vec<Mark>) {
    out.push(Mark::Line {
        points: vec![(x, y0), (x, y1)],
        colour: TEXT.into(),
        width: 1,
    });
}

/// Horizontal bars split into parts. Each part carries its value when it fits; parts too
/// narrow for their value are listed under the bar, so every value is labelled.
fn stacked(def: &ChartDef, t: &Table, out: &mut Vec<Mark>, w: &Words) -> Result<f64, String> {
    let mut y = legend(t, PAD, false, out)?;
    let totals: Vec<f64> = (0..t.categories.len())
        .map(|c| t.series.iter().map(|s| s.values[c]).sum())
        .collect();
    let mut widest: f64 = 0.0;
    for &v in &totals {
        let total = w.fill("chart_total_value", &[("value", &short(def.unit, v))]);
        widest = widest.max(text_width(&total)?);
    }
    let room = WIDTH - 2.0 * PAD - GAP - widest;
    if room < 100.0 {
        return Err("its totals are too long to leave room for the bars".into());
    }
    let max = max_value(totals.iter().copied());
    let bar_h = 26.0;
    for (c, cat) in t.categories.iter().enumerate() {
        let (lines, _) = wrap(cat, WIDTH - 2.0 * PAD, 2)?;
        for line in lines {
            out.push(text(PAD, y + LINE / 2.0, line, Anchor::Start, TEXT));
            y += LINE;
        }
        y += 2.0;
        axis_line(PAD, y - 2.0, y + bar_h + 2.0, out);
        let mut x = PAD;
        let mut unplaced = Vec::new();
        for s in &t.series {
            let v = s.values[c];
            let len = v / max * room;
            if v == 0.0 {
                continue;
            }
            out.push(Mark::Rect {
                x0: x,
                y0: y,
                x1: x + len,
                y1: y + bar_h,
                fill: s.colour.clone(),
            });
            // A white line between parts, so they read as separate without relying on colour.
            if x > PAD {
                out.push(Mark::Line {
                    points: vec![(x, y), (x, y + bar_h)],
                    colour: "#ffffff".into(),
                    width: 2,
                });
            }
            let lbl = short(def.unit, v);
            let ink = match parse_hex(&s.colour) {
                Some(bg) if contrast(bg, (255, 255, 255)) >= 4.5 => "#ffffff",
                Some(bg) if contrast(bg, (11, 12, 12)) >= 4.5 => TEXT,
                _ => "",
            };
            if !ink.is_empty() && text_width(&lbl)? + 8.0 <= len {
                out.push(text(
                    x + len / 2.0,
                    y + bar_h / 2.0,
                    lbl,
                    Anchor::Middle,
                    ink,
                ));
            } else {
                unplaced.push(format!("{} {lbl}", s.name));
            }
            x += len;
        }
        out.push(text(
            x + GAP,
            y + bar_h / 2.0,
            w.fill(
                "chart_total_value",
                &[("value", &short(def.unit, totals[c]))],
            ),
            Anchor::Start,
            TEXT,
        ));
        y += bar_h + 2.0;
        if !unplaced.is_empty() {
            let (lines, _) = wrap(&unplaced.join(", "), WIDTH - 2.0 * PAD, 3)?;
            for line in lines {
                out.push(text(PAD, y + LINE / 2.0, line, Anchor::Start, MUTED));
                y += LINE;
            }
        }
        y += 12.0;
    }
    Ok(y - 12.0)
}

/// Vertical bars with the value above each and the category wrapped below.
fn columns(def: &ChartDef, t: &Table, out: &mut Vec<Mark>) -> Result<f64, String> {
    let y = legend(t, PAD, false, out)?;
    let n = t.categories.len() as f64;
    let ns = t.series.len() as f64;
    let slot = (WIDTH - 2.0 * PAD) / n;
    let group = slot * 0.75;
    let col_w = group / ns;
    let plot_h = 140.0;
    let top = y + LINE;
    let base = top + plot_h;
    let max = max_value(t.series.iter().flat_map(|s| s.values.iter().copied()));
    for (c, cat) in t.categories.iter().enumerate() {
        let x_slot = PAD + slot * c as f64;
        let (lines, too_wide) = wrap(cat, slot - 4.0, 3)?;
        if too_wide
            || lines
                .last()
                .is_some_and(|l| l.ends_with('…') && !cat.ends_with('…'))
        {
            return Err(format!(
                "the label `{cat}` is too long to fit under its column ({} columns share the width)",
                t.categories.len()
            ));
        }
        for (si, s) in t.series.iter().enumerate() {
            let v = s.values[c];
            let h = v / max * plot_h;
            let x0 = x_slot + (slot - group) / 2.0 + col_w * si as f64;
            out.push(Mark::Rect {
                x0: x0 + 1.0,
                y0: base - h,
                x1: x0 + col_w - 1.0,
                y1: base,
                fill: bar_colour(t, si, c),
            });
            let lbl = short(def.unit, v);
            let room = if ns > 1.0 { col_w + 2.0 } else { slot - 2.0 };
            if text_width(&lbl)? > room {
                return Err(format!(
                    "the value {lbl} is too wide to label its column; use `kind: bar`"
                ));
            }
            out.push(text(
                x0 + col_w / 2.0,
                base - h - LINE / 2.0,
                lbl,
                Anchor::Middle,
                TEXT,
            ));
        }
        for (i, line) in lines.iter().enumerate() {
            out.push(text(
                x_slot + slot / 2.0,
                base + 6.0 + LINE / 2.0 + LINE * i as f64,
                line.clone(),
                Anchor::Middle,
                TEXT,
            ));
        }
    }
    out.push(Mark::Line {
        points: vec![(PAD, base), (WIDTH - PAD, base)],
        colour: TEXT.into(),
        width: 1,
    });
    let label_lines = t
        .categories
        .iter()
        .map(|c| wrap(c, slot - 4.0, 3).map(|(l, _)| l.len()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .max()
        .unwrap_or(1);
    let mut bottom = base + 6.0 + LINE * label_lines as f64;
    if let Some(x_label) = &def.x_label {
        bottom += 6.0;
        out.push(text(
            WIDTH / 2.0,
            bottom + LINE / 2.0,
            ellipsis(x_label, WIDTH - 2.0 * PAD)?,
            Anchor::Middle,
            MUTED,
        ));
        bottom += LINE;
    }
    Ok(bottom)
}

/// A tidy step for about four intervals between 0 and `span`.
fn nice_step(span: f64) -> f64 {
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Lines over time with a value axis. With one series every point is labelled when the labels
/// fit; otherwise each series' last value is labelled at the right, and markers of different
/// shapes tell the series apart.
fn lines(def: &ChartDef, t: &Table, out: &mut Vec<Mark>, w: &Words) -> Result<f64, String> {
    let mut y = legend(t, PAD, true, out)?;
    let u = def.unit;
    let (lo, hi, from_zero) = value_range(t);
    let step = nice_step(hi - lo);
    let mut y_min = (lo / step).floor() * step;
    if !from_zero && y_min >= lo {
        // Keep the lowest point off the axis line.
        y_min -= step;
    }
    let y_max = (hi / step).ceil() * step;
    let ticks: Vec<f64> = (0..=((y_max - y_min) / step).round() as usize)
        .map(|i| y_min + step * i as f64)
        .collect();
    let mut tick_w: f64 = 0.0;
    for &v in &ticks {
        tick_w = tick_w.max(text_width(&short(u, v))?);
    }
    if let Some(label) = &def.y_label {
        out.push(text(
            PAD,
            y + LINE / 2.0,
            ellipsis(label, WIDTH - 2.0 * PAD)?,
            Anchor::Start,
            MUTED,
        ));
        y += LINE + 4.0;
    }
    let n = t.categories.len();
    let multi = t.series.len() > 1;
    // Room at the right for the last values when there are several series.
    let mut end_w: f64 = 0.0;
    if multi {
        for s in &t.series {
            end_w = end_w.max(text_width(&short(u, s.values[n - 1]))?);
        }
    }
    let first_w = text_width(&t.categories[0])?;
    let last_w = text_width(&t.categories[n - 1])?;
    let left = (PAD + tick_w + GAP + 8.0).max(PAD + first_w / 2.0);
    let right = if multi {
        (WIDTH - PAD - end_w - GAP - 6.0).min(WIDTH - PAD - last_w / 2.0)
    } else {
        WIDTH - PAD - (last_w / 2.0).max(24.0)
    };
    if right - left < 120.0 {
        return Err("its labels leave too little room for the lines".into());
    }
    let top = y + LINE;
    let plot_h = 140.0;
    let base = top + plot_h;
    let sx = |i: usize| left + (right - left) * i as f64 / (n - 1) as f64;
    let sy = |v: f64| base - (v - y_min) / (y_max - y_min) * plot_h;
    for &v in &ticks {
        let yy = sy(v);
        out.push(Mark::Line {
            points: vec![(left, yy), (right, yy)],
            colour: GRID.into(),
            width: 1,
        });
        out.push(text(left - GAP - 2.0, yy, short(u, v), Anchor::End, MUTED));
    }
    out.push(Mark::Line {
        points: vec![(left, base), (right, base)],
        colour: TEXT.into(),
        width: 1,
    });
    // Category labels: every k-th, so that none overlap.
    let slot = (right - left) / (n - 1) as f64;
    let mut widest: f64 = 0.0;
    for c in &t.categories {
        widest = widest.max(text_width(c)?);
    }
    let k = ((widest + 10.0) / slot).ceil().max(1.0) as usize;
    for i in (0..n).step_by(k) {
        out.push(Mark::Line {
            points: vec![(sx(i), base), (sx(i), base + 5.0)],
            colour: TEXT.into(),
            width: 1,
        });
        out.push(text(
            sx(i),
            base + 6.0 + LINE / 2.0,
            t.categories[i].clone(),
            Anchor::Middle,
            TEXT,
        ));
    }
    // Label every point only if no two labels would touch (the first starts at its point, the
    // last ends at its point, the others are centred). Each label also keeps clear of the axis
    // labels: above its point, else below, else left to the data table.
    let label_points = !multi && {
        let mut spans = Vec::with_capacity(n);
        for (i, v) in t.series[0].values.iter().enumerate() {
            let w = text_width(&short(u, *v))?;
            let x = sx(i);
            spans.push(match i {
                0 => (x, x + w),
                i if i == n - 1 => (x - w, x),
                _ => (x - w / 2.0, x + w / 2.0),
            });
        }
        spans.windows(2).all(|p| p[0].1 + 6.0 <= p[1].0)
    };
    for (si, s) in t.series.iter().enumerate() {
        let pts: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| (sx(i), sy(v)))
            .collect();
        out.push(Mark::Line {
            points: pts.clone(),
            colour: s.colour.clone(),
            width: 3,
        });
        for (i, &(px, py)) in pts.iter().enumerate() {
            out.push(marker_mark(si, px, py, &s.colour));
            if label_points || (!multi && i == n - 1) {
                // The first label starts at its point and the last ends at its point, so
                // neither runs into the axis labels or past the edge.
                let (lx, anchor) = match i {
                    0 => (px, Anchor::Start),
                    i if i == n - 1 => (px, Anchor::End),
                    _ => (px, Anchor::Middle),
                };
                let lbl = short(u, s.values[i]);
                // Nearest first: just above or below the point, then a line further off, for
                // a point whose own line climbs through the nearer places.
                for dy in [-16.0, 18.0, -30.0, 32.0] {
                    let m = text(lx, py + dy, lbl.clone(), anchor, TEXT);
                    if !collides(&m, out)? && !crosses_line(&m, out)? {
                        out.push(m);
                        break;
                    }
                }
            }
        }
    }
    if multi {
        // Last values at the right, nudged apart so that none overlap.
        let mut ends: Vec<(f64, String)> = t
            .series
            .iter()
            .map(|s| (sy(s.values[n - 1]), short(u, s.values[n - 1])))
            .collect();
        ends.sort_by(|a, b| a.0.total_cmp(&b.0));
        for i in 1..ends.len() {
            if ends[i].0 < ends[i - 1].0 + LINE {
                ends[i].0 = ends[i - 1].0 + LINE;
            }
        }
        for (yy, lbl) in ends {
            out.push(text(right + GAP + 6.0, yy, lbl, Anchor::Start, TEXT));
        }
    }
    let mut bottom = base + 6.0 + LINE;
    if let Some(x_label) = &def.x_label {
        bottom += 4.0;
        out.push(text(
            (left + right) / 2.0,
            bottom + LINE / 2.0,
            ellipsis(x_label, WIDTH - 2.0 * PAD)?,
            Anchor::Middle,
            MUTED,
        ));
        bottom += LINE;
    }
    if !from_zero {
        // A cut axis exaggerates change, so the chart says so where the eye reads the axis.
        bottom += 4.0;
        out.push(text(
            PAD,
            bottom + LINE / 2.0,
            w.get("chart_axis_not_zero"),
            Anchor::Start,
            MUTED,
        ));
        bottom += LINE;
    }
    if let Some((a, b)) = first_overlap(out)? {
        return Err(format!(
            "its labels `{a}` and `{b}` would overlap; shorten the labels or the series' names"
        ));
    }
    Ok(bottom)
}

/// The lowest and highest values a line chart's axis must show, and whether it starts at zero.
/// It starts at zero unless every value is above zero and their spread is less than half the
/// largest: on a zero-based axis such a change (households 74,678 to 78,300) would look flat.
pub(super) fn value_range(t: &Table) -> (f64, f64, bool) {
    let all = t.series.iter().flat_map(|s| s.values.iter().copied());
    let lo = all.clone().fold(f64::MAX, f64::min);
    let hi = all.fold(f64::MIN, f64::max);
    if lo > 0.0 && hi - lo < hi / 2.0 && hi > lo {
        (lo, hi, false)
    } else {
        let lo = lo.min(0.0);
        (lo, hi.max(lo + 1e-9), true)
    }
}

/// A box: (x0, y0, x1, y1).
type Bounds = (f64, f64, f64, f64);

/// The box a text mark covers, its height that of the digits and capitals.
fn text_box(m: &Mark) -> Result<Option<Bounds>, String> {
    let Mark::Text {
        x, y, text, anchor, ..
    } = m
    else {
        return Ok(None);
    };
    let w = text_width(text)?;
    let x0 = match anchor {
        Anchor::Start => *x,
        Anchor::Middle => x - w / 2.0,
        Anchor::End => x - w,
    };
    Ok(Some((x0, y - 6.0, x0 + w, y + 6.0)))
}

/// Two labels too close to read apart: closer than 6 units side by side or 2 above each other.
fn too_close(a: Bounds, b: Bounds) -> bool {
    a.0 < b.2 + 6.0 && b.0 < a.2 + 6.0 && a.1 < b.3 + 2.0 && b.1 < a.3 + 2.0
}

/// Whether text mark `m` would come too close to any text already in `marks`.
fn collides(m: &Mark, marks: &[Mark]) -> Result<bool, String> {
    let Some(a) = text_box(m)? else {
        return Ok(false);
    };
    for other in marks {
        if let Some(b) = text_box(other)? {
            if too_close(a, b) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether text mark `m` would sit on a drawn line: a series or an axis (grid lines are pale
/// enough to read text over).
fn crosses_line(m: &Mark, marks: &[Mark]) -> Result<bool, String> {
    let Some((x0, y0, x1, y1)) = text_box(m)? else {
        return Ok(false);
    };
    // A little room round the text, so a line does not graze its letters.
    let b = (x0 - 2.0, y0 - 2.0, x1 + 2.0, y1 + 2.0);
    Ok(marks.iter().any(|other| match other {
        Mark::Line { points, colour, .. } if colour != GRID => {
            points.windows(2).any(|w| segment_meets_box(w[0], w[1], b))
        }
        _ => false,
    }))
}

/// Whether the segment from `p` to `q` passes through box `b` (Liang-Barsky clipping).
fn segment_meets_box(p: (f64, f64), q: (f64, f64), b: Bounds) -> bool {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (edge_dir, dist) in [
        (-dx, p.0 - b.0),
        (dx, b.2 - p.0),
        (-dy, p.1 - b.1),
        (dy, b.3 - p.1),
    ] {
        if edge_dir == 0.0 {
            if dist < 0.0 {
                return false;
            }
        } else {
            let t = dist / edge_dir;
            if edge_dir < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

/// The first two texts that come too close, checked at build so that no chart is published
/// with labels over each other.
pub(super) fn first_overlap(marks: &[Mark]) -> Result<Option<(String, String)>, String> {
    let mut seen: Vec<(&str, Bounds)> = Vec::new();
    for m in marks {
        if let (Some(b), Mark::Text { text, .. }) = (text_box(m)?, m) {
            if let Some((other, _)) = seen.iter().find(|(_, a)| too_close(*a, b)) {
                return Ok(Some((other.to_string(), text.clone())));
            }
            seen.push((text.as_str(), b));
        }
    }
    Ok(None)
}

/// One row per period, top to bottom in time order: the period, a marker on a time line, and a
/// bar with its value. Empty periods keep their row, so gaps show.
fn timeline(def: &ChartDef, t: &Table, out: &mut Vec<Mark>) -> Result<f64, String> {
    let s = &t.series[0];
    let mut label_w: f64 = 0.0;
    for c in &t.categories {
        label_w = label_w.max(text_width(c)?);
    }
    let mut value_w: f64 = 0.0;
    for &v in &s.values {
        value_w = value_w.max(text_width(&short(def.unit, v))?);
    }
    let line_x = PAD + label_w + 14.0;
    let bar_x = line_x + 14.0;
    let room = WIDTH - PAD - bar_x - GAP - value_w;
    if room < 80.0 {
        return Err("its period labels are too long to leave room for the bars".into());
    }
    let max = max_value(s.values.iter().copied());
    let row = 30.0;
    let top = PAD;
    let n = t.categories.len();
    out.push(Mark::Line {
        points: vec![
            (line_x, top + row / 2.0),
            (line_x, top + row * (n as f64 - 0.5)),
        ],
        colour: MUTED.into(),
        width: 2,
    });
    for (i, c) in t.categories.iter().enumerate() {
        let cy = top + row * i as f64 + row / 2.0;
        let v = s.values[i];
        out.push(text(line_x - 14.0, cy, c.clone(), Anchor::End, TEXT));
        out.push(Mark::Circle {
            x: line_x,
            y: cy,
            r: 5.0,
            fill: if v > 0.0 {
                s.colour.clone()
            } else {
                MUTED.into()
            },
        });
        let len = v / max * room;
        if len > 0.0 {
            out.push(Mark::Rect {
                x0: bar_x,
                y0: cy - 10.0,
                x1: bar_x + len,
                y1: cy + 10.0,
                fill: s.colour.clone(),
            });
        }
        out.push(text(
            bar_x + len + GAP,
            cy,
            short(def.unit, v),
            Anchor::Start,
            TEXT,
        ));
    }
    Ok(top + row * n as f64)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{def, resolved};
    use super::super::Unit;
    use super::*;

    fn laid(kind: ChartKind, cats: &[&str], series: &[(&str, &[f64])]) -> Result<Layout, String> {
        let d = def(kind, cats, series);
        let t = resolved(&d)?;
        layout(&d, &t, Words::english())
    }

    #[test]
    fn measuring_uses_the_bundled_font() {
        let a = text_width("Safe and Well").unwrap();
        assert!(a > 80.0 && a < 140.0, "{a}");
        assert!(text_width("WWW").unwrap() > text_width("iii").unwrap());
    }

    #[test]
    fn wrapping_keeps_within_width() {
        let (lines, too_wide) =
            wrap("Opportunity and Prosperity in the borough", 120.0, 3).unwrap();
        assert!(!too_wide);
        for l in &lines {
            assert!(text_width(l).unwrap() <= 120.0, "{l}");
        }
        let (lines, _) = wrap("one two three four five six seven eight", 60.0, 2).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
    }

    #[test]
    fn bars_label_every_value() {
        let l = laid(ChartKind::Bar, &["A", "B"], &[("S", &[1.5e6, 250_000.0])]).unwrap();
        let texts = l.texts();
        assert!(
            texts.contains(&"£1.5m") && texts.contains(&"£250k"),
            "{texts:?}"
        );
    }

    #[test]
    fn columns_refuse_labels_that_cannot_fit() {
        let cats = [
            "Supercalifragilisticexpialidocious",
            "B",
            "C",
            "D",
            "E",
            "F",
        ];
        let e = laid(ChartKind::Column, &cats, &[("S", &[1.0; 6])]).unwrap_err();
        assert!(e.contains("too long to fit"), "{e}");
        assert!(laid(
            ChartKind::Column,
            &["2016/17", "2018/19"],
            &[("S", &[1.0, 2.0])]
        )
        .is_ok());
    }

    #[test]
    fn stacked_parts_too_small_are_listed() {
        let l = laid(
            ChartKind::Stacked,
            &["Q1"],
            &[("Big", &[9e6]), ("Tiny", &[10_000.0])],
        )
        .unwrap();
        let texts = l.texts();
        assert!(texts.contains(&"£9m"), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("Tiny £10k")), "{texts:?}");
        assert!(texts.contains(&"Total £9m"), "{texts:?}");
    }

    #[test]
    fn lines_and_timelines_lay_out() {
        let mut d = def(
            ChartKind::Line,
            &["2011", "2021"],
            &[("Households", &[74678.0, 78300.0])],
        );
        d.unit = Unit::Count;
        let t = resolved(&d).unwrap();
        let texts: Vec<String> = layout(&d, &t, Words::english())
            .unwrap()
            .texts()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(texts.contains(&"74,678".to_string()), "{texts:?}");
        assert!(texts.contains(&"78,300".to_string()), "{texts:?}");
        let l = laid(
            ChartKind::Timeline,
            &["Apr–Jun 2019", "Jul–Sep 2019"],
            &[("N", &[2.0, 0.0])],
        )
        .unwrap();
        assert!(l.texts().contains(&"Jul–Sep 2019"));
    }

    #[test]
    fn a_small_change_gets_an_axis_that_shows_it_and_says_so() {
        let mut d = def(
            ChartKind::Line,
            &["2011", "2021"],
            &[("Households", &[74678.0, 78300.0])],
        );
        d.unit = Unit::Count;
        let t = resolved(&d).unwrap();
        assert_eq!(value_range(&t), (74678.0, 78300.0, false));
        let l = layout(&d, &t, Words::english()).unwrap();
        let texts = l.texts();
        assert!(texts.contains(&"Axis does not start at zero"), "{texts:?}");
        assert!(!texts.contains(&"0"), "no zero tick: {texts:?}");
        assert!(texts.contains(&"74,000"), "{texts:?}");
        assert_eq!(first_overlap(&l.marks).unwrap(), None);
        // A change that is large against the values keeps the zero-based axis, unmarked.
        let l = laid(ChartKind::Line, &["2011", "2021"], &[("S", &[10.0, 40.0])]).unwrap();
        assert!(!l.texts().contains(&"Axis does not start at zero"));
        assert!(l.texts().contains(&"£0"), "{:?}", l.texts());
        // So do values that reach zero or below.
        let d = def(ChartKind::Line, &["A", "B"], &[("S", &[-1.0, 1.0])]);
        let t = resolved(&d).unwrap();
        assert!(value_range(&t).2);
    }

    #[test]
    fn point_labels_keep_clear_of_axis_labels() {
        // On a zero-based axis the first point's label would sit against the top tick label,
        // as the households chart's did; it moves below its point instead.
        let d = def(ChartKind::Line, &["2011", "2021"], &[("S", &[0.0, 80.0])]);
        let t = resolved(&d).unwrap();
        let l = layout(&d, &t, Words::english()).unwrap();
        assert_eq!(first_overlap(&l.marks).unwrap(), None);
        let mut marks = l.marks.clone();
        marks.push(text(PAD, 400.0, "£1m", Anchor::Start, TEXT));
        marks.push(text(PAD + 20.0, 401.0, "£2m", Anchor::Start, TEXT));
        assert_eq!(
            first_overlap(&marks).unwrap(),
            Some(("£1m".to_string(), "£2m".to_string()))
        );
        for (i, a) in l.marks.iter().enumerate() {
            if let Some(b) = text_box(a).unwrap() {
                for c in &l.marks[i + 1..] {
                    if let Some(cb) = text_box(c).unwrap() {
                        assert!(!too_close(b, cb), "{a:?} {c:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn point_labels_keep_off_the_lines() {
        // The households chart: a steep climb from the first point ran through its label.
        let d = def(
            ChartKind::Line,
            &["2011", "2021"],
            &[("S", &[74_678.0, 78_300.0])],
        );
        let t = resolved(&d).unwrap();
        let l = layout(&d, &t, Words::english()).unwrap();
        // Both points keep their labels (74,678 rounds to £75k), and no text of the chart
        // sits on a line.
        assert_eq!(
            l.texts()
                .iter()
                .filter(|t| **t == "£75k" || **t == "£78k")
                .count(),
            4,
            "{:?}",
            l.texts()
        );
        for m in &l.marks {
            assert!(!crosses_line(m, &l.marks).unwrap(), "{m:?}");
        }
        assert!(segment_meets_box(
            (0.0, 0.0),
            (10.0, 10.0),
            (4.0, 4.0, 6.0, 6.0)
        ));
        assert!(!segment_meets_box(
            (0.0, 0.0),
            (10.0, 0.0),
            (4.0, 4.0, 6.0, 6.0)
        ));
        assert!(segment_meets_box(
            (5.0, -1.0),
            (5.0, 20.0),
            (4.0, 4.0, 6.0, 6.0)
        ));
    }

    #[test]
    fn crowded_line_labels_give_way_to_the_last_value() {
        let values: Vec<f64> = (0..12)
            .map(|i| 1_000_000.0 + i as f64 * 123_456.0)
            .collect();
        let cats: Vec<String> = (2010..2022).map(|y| y.to_string()).collect();
        let cats: Vec<&str> = cats.iter().map(String::as_str).collect();
        let l = laid(ChartKind::Line, &cats, &[("S", &values)]).unwrap();
        let texts = l.texts();
        assert!(texts.contains(&"£2.4m"), "last value labelled: {texts:?}");
        assert!(
            !texts.contains(&"£1.1m"),
            "crowded labels left out: {texts:?}"
        );
        // Category labels thin out rather than overlap.
        assert!(
            texts.contains(&"2010") && !texts.contains(&"2011"),
            "{texts:?}"
        );
    }

    #[test]
    fn svg_is_identical_each_time_and_accessible() {
        let d = def(ChartKind::Bar, &["A", "B"], &[("S", &[1.0, 2.0])]);
        let t = resolved(&d).unwrap();
        let a = svg(&d, &t, "Summary.", Words::english()).unwrap();
        let b = svg(&d, &t, "Summary.", Words::english()).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(a.contains("role=\"img\""));
        assert!(a.contains("<title id=\"chart-test-chart-title\">Test chart</title>"));
        assert!(a.contains(&format!("font-size=\"{FONT_SIZE}\"")), "{a}");
        assert!(!a.contains('\n'));
    }
}
