//! The text of a formula (`{ expr = "n_gpus * months * utilisation" }`),
//! parsed into a tree once, when the scenario is read. Names are resolved,
//! units checked and the tree compiled by `crate::model::formula`.
//!
//! Grammar: numbers (`1`, `0.5`, `1e3`), optionally with a unit in brackets
//! (`730 [h/month]`); names `[A-Za-z_][A-Za-z0-9_]*`; binary `+ - * / ^`
//! (`^` binds tightest and to the right, so `-x^2` is `-(x^2)` and
//! `2^3^2` is `2^9`); unary minus; parentheses; the functions `min(a, b,
//! …)`, `max(…)`, `exp(x)`, `ln(x)` and `sqrt(x)`.

use std::ops::Range;

use super::unit_algebra::{self, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> char {
        match self {
            BinOp::Add => '+',
            BinOp::Sub => '-',
            BinOp::Mul => '*',
            BinOp::Div => '/',
            BinOp::Pow => '^',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Exp,
    Ln,
    Sqrt,
}

impl Func {
    fn named(name: &str) -> Option<Func> {
        Some(match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "exp" => Func::Exp,
            "ln" => Func::Ln,
            "sqrt" => Func::Sqrt,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Sqrt => "sqrt",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A number, with its unit (`730 [h/month]`) if bracketed.
    Num(f64, Option<Unit>),
    Name(String),
    Neg(Box<Term>),
    Bin(BinOp, Box<Term>, Box<Term>),
    Call(Func, Vec<Term>),
}

/// A node with where it is written in the expression (byte range).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub node: Node,
    pub span: Range<usize>,
}

/// A parsed formula: its text and its tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub text: String,
    pub root: Term,
}

/// An error at byte `at` of the expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub at: Range<usize>,
    pub message: String,
}

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let mut p = Parser { text, pos: 0 };
        let root = p.sum()?;
        p.skip_space();
        if p.pos < text.len() {
            let c = p.peek().unwrap_or(' ');
            return Err(p.error_here(format!("unexpected `{c}` after a complete expression")));
        }
        Ok(Expr {
            text: text.to_string(),
            root,
        })
    }

    /// The source text of a term.
    pub fn source(&self, t: &Term) -> &str {
        self.text[t.span.clone()].trim()
    }

    /// Every name the expression refers to, in order of appearance.
    pub fn names(&self) -> Vec<(&str, Range<usize>)> {
        fn walk<'a>(t: &'a Term, out: &mut Vec<(&'a str, Range<usize>)>) {
            match &t.node {
                Node::Num(..) => {}
                Node::Name(n) => out.push((n, t.span.clone())),
                Node::Neg(a) => walk(a, out),
                Node::Bin(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Node::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    /// `message`, then the expression with a caret under `at`.
    pub fn pointed(&self, at: &Range<usize>, message: &str) -> String {
        pointed(&self.text, at, message)
    }
}

/// `message` with the expression and a caret line under bytes `at`.
pub fn pointed(text: &str, at: &Range<usize>, message: &str) -> String {
    let start = at.start.min(text.len());
    let end = at.end.clamp(start, text.len());
    let column = text[..start].chars().count();
    let width = text[start..end].chars().count().max(1);
    format!(
        "{message} (column {} of the expression)\n    {text}\n    {}{}",
        column + 1,
        " ".repeat(column),
        "^".repeat(width)
    )
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn error_here(&self, message: String) -> ExprError {
        let len = self.peek().map_or(1, char::len_utf8);
        ExprError {
            at: self.pos..self.pos + len,
            message,
        }
    }

    /// Consumes `c` (after spaces) if it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn bin(op: BinOp, a: Term, b: Term) -> Term {
        let span = a.span.start..b.span.end;
        Term {
            node: Node::Bin(op, Box::new(a), Box::new(b)),
            span,
        }
    }

    fn sum(&mut self) -> Result<Term, ExprError> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat('+') {
                BinOp::Add
            } else if self.eat('-') {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            let right = self.product()?;
            left = Self::bin(op, left, right);
        }
    }

    fn product(&mut self) -> Result<Term, ExprError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat('*') {
                BinOp::Mul
            } else if self.eat('/') {
                BinOp::Div
            } else {
                return Ok(left);
            };
            let right = self.unary()?;
            left = Self::bin(op, left, right);
        }
    }

    fn unary(&mut self) -> Result<Term, ExprError> {
        self.skip_space();
        let start = self.pos;
        if self.eat('-') {
            let inner = self.unary()?;
            let span = start..inner.span.end;
            return Ok(Term {
                node: Node::Neg(Box::new(inner)),
                span,
            });
        }
        let base = self.primary()?;
        if self.eat('^') {
            // Right-associative, and the exponent may carry a sign: 2^-1.
            let exponent = self.unary()?;
            return Ok(Self::bin(BinOp::Pow, base, exponent));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<Term, ExprError> {
        self.skip_space();
        let start = self.pos;
        match self.peek() {
            None => Err(self.error_here("the expression ends where an operand is expected".into())),
            Some('(') => {
                self.pos += 1;
                let inner = self.sum()?;
                if !self.eat(')') {
                    return Err(self.error_here("expected `)`".into()));
                }
                Ok(Term {
                    node: inner.node,
                    span: start..self.pos,
                })
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let len = self.text[start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(self.text.len() - start);
                self.pos += len;
                let name = &self.text[start..self.pos];
                let name_span = start..self.pos;
                self.skip_space();
                if self.peek() != Some('(') {
                    return Ok(Term {
                        node: Node::Name(name.to_string()),
                        span: name_span,
                    });
                }
                let Some(func) = Func::named(name) else {
                    return Err(ExprError {
                        at: name_span,
                        message: format!(
                            "unknown function `{name}`; functions: min, max, exp, ln, sqrt"
                        ),
                    });
                };
                self.pos += 1;
                let mut args = vec![self.sum()?];
                while self.eat(',') {
                    args.push(self.sum()?);
                }
                if !self.eat(')') {
                    return Err(self.error_here("expected `,` or `)` in the function's arguments".into()));
                }
                let span = start..self.pos;
                let ok = match func {
                    Func::Min | Func::Max => args.len() >= 2,
                    _ => args.len() == 1,
                };
                if !ok {
                    let want = match func {
                        Func::Min | Func::Max => "two or more arguments",
                        _ => "exactly one argument",
                    };
                    return Err(ExprError {
                        at: span,
                        message: format!("`{name}` takes {want}; found {}", args.len()),
                    });
                }
                Ok(Term {
                    node: Node::Call(func, args),
                    span,
                })
            }
            Some(c) => Err(self.error_here(format!(
                "unexpected `{c}` where an operand (a number, a parameter name, a function or `(`) is expected"
            ))),
        }
    }

    fn number(&mut self) -> Result<Term, ExprError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            let mut j = i + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            if j < bytes.len() && bytes[j].is_ascii_digit() {
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        let literal = &self.text[start..i];
        let value: f64 = literal.parse().map_err(|_| ExprError {
            at: start..i,
            message: format!("`{literal}` is not a number"),
        })?;
        self.pos = i;
        let mut unit = None;
        let mut end = i;
        if self.eat('[') {
            let open = self.pos;
            let Some(len) = self.text[open..].find(']') else {
                return Err(ExprError {
                    at: open - 1..self.text.len(),
                    message: "a unit in brackets needs its closing `]`".into(),
                });
            };
            let u = unit_algebra::parse(&self.text[open..open + len]).map_err(|m| ExprError {
                at: open..open + len,
                message: m,
            })?;
            unit = Some(u);
            self.pos = open + len + 1;
            end = self.pos;
        }
        Ok(Term {
            node: Node::Num(value, unit),
            span: start..end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> String {
        fn show(t: &Term) -> String {
            match &t.node {
                Node::Num(x, u) => format!("{x}{}", if u.is_some() { "[u]" } else { "" }),
                Node::Name(n) => n.clone(),
                Node::Neg(a) => format!("(-{})", show(a)),
                Node::Bin(op, a, b) => format!("({} {} {})", show(a), op.symbol(), show(b)),
                Node::Call(f, args) => format!(
                    "{}({})",
                    f.name(),
                    args.iter().map(show).collect::<Vec<_>>().join(", ")
                ),
            }
        }
        show(&Expr::parse(text).unwrap().root)
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(tree("a + b * c"), "(a + (b * c))");
        assert_eq!(tree("a - b - c"), "((a - b) - c)");
        assert_eq!(tree("a / b / c"), "((a / b) / c)");
        assert_eq!(tree("-x^2"), "(-(x ^ 2))");
        assert_eq!(tree("2^3^2"), "(2 ^ (3 ^ 2))");
        assert_eq!(tree("2^-1"), "(2 ^ (-1))");
        assert_eq!(tree("(a + b) * c"), "((a + b) * c)");
        assert_eq!(
            tree("min(a, 1e3, 0.5) * 730 [h/month]"),
            "(min(a, 1000, 0.5) * 730[u])"
        );
        assert_eq!(tree("sqrt(exp(ln(x)))"), "sqrt(exp(ln(x)))");
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = Expr::parse("a * * b").unwrap_err();
        assert_eq!(e.at.start, 4);
        let e = Expr::parse("log(a)").unwrap_err();
        assert!(e.message.contains("unknown function `log`"));
        let e = Expr::parse("(a + b").unwrap_err();
        assert!(e.message.contains("expected `)`"));
        let e = Expr::parse("2 [parsecs]").unwrap_err();
        assert!(
            e.message.contains("unknown unit `parsecs`"),
            "{}",
            e.message
        );
        let shown = pointed("a * * b", &(4..5), "oops");
        assert!(shown.ends_with("a * * b\n        ^"), "{shown}");
    }
}
