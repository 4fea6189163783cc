//! Expressions: numbers, parameters and the arithmetic of probabilities.

use super::*;

impl<'a> Reader<'a> {
    /// An expression that must be a probability; a plain number keeps its complement's digits.
    pub(super) fn probability(
        &mut self,
        file: usize,
        e: &Element,
        base: &str,
    ) -> Result<Odds, ModelError> {
        if e.name == "float"
            && let Some(v) = e.attribute("value")
            && let Ok(a) = Availability::parse(v)
        {
            // Read as "the event does not happen with 1 − p", so both sides come from the digits.
            let odds = a.down.complement();
            if (0.0..=1.0).contains(&odds.p) && (0.0..=1.0).contains(&odds.q) {
                return Ok(odds);
            }
        }
        let p = self.expression(file, e, base)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(self.at(file, e, format!("this probability is {p}, outside [0, 1]")));
        }
        Ok(Odds::from_p(p))
    }

    pub(super) fn number(&self, file: usize, e: &Element) -> Result<f64, ModelError> {
        let text = e
            .attribute("value")
            .ok_or_else(|| self.at(file, e, format!("<{}> needs a `value`", e.name)))?;
        let parsed = match e.name.as_str() {
            "bool" => match text.trim() {
                "true" => Some(1.0),
                "false" => Some(0.0),
                _ => None,
            },
            "int" => text.trim().parse::<i64>().ok().map(|v| v as f64),
            _ => text.trim().parse::<f64>().ok(),
        };
        parsed
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.at(file, e, format!("`{text}` is not a {} value", e.name)))
    }

    pub(super) fn expression(
        &mut self,
        file: usize,
        e: &Element,
        base: &str,
    ) -> Result<f64, ModelError> {
        let args: Vec<&Element> = e
            .children
            .iter()
            .filter(|c| !LABELS.contains(&c.name.as_str()))
            .collect();
        let arity = |me: &Self, lo: usize, hi: usize| -> Result<(), ModelError> {
            if args.len() < lo || args.len() > hi {
                let want = if lo == hi {
                    format!("{lo}")
                } else if hi == usize::MAX {
                    format!("at least {lo}")
                } else {
                    format!("{lo} to {hi}")
                };
                return Err(me.at(
                    file,
                    e,
                    format!("<{}> takes {want} arguments, not {}", e.name, args.len()),
                ));
            }
            Ok(())
        };
        let vals = |me: &mut Self| -> Result<Vec<f64>, ModelError> {
            args.iter().map(|a| me.expression(file, a, base)).collect()
        };
        let p_exp = |rate: f64, t: f64| -(-rate * t).exp_m1();
        let value = match e.name.as_str() {
            "float" | "int" | "bool" => self.number(file, e)?,
            "pi" => std::f64::consts::PI,
            "system-mission-time" => self.options.mission_time_h,
            "parameter" => {
                let reference = self.name_of(file, e)?;
                let decl = self
                    .lookup(&[Kind::Parameter], &reference, base)
                    .ok_or_else(|| {
                        self.at(
                            file,
                            e,
                            with_hint(
                                format!("undefined parameter `{reference}`"),
                                "define it with <define-parameter>",
                            ),
                        )
                    })?;
                self.parameter(decl)?
            }
            "neg" => {
                arity(self, 1, 1)?;
                -vals(self)?[0]
            }
            "add" => {
                arity(self, 1, usize::MAX)?;
                vals(self)?.iter().sum()
            }
            "mul" => {
                arity(self, 1, usize::MAX)?;
                vals(self)?.iter().product()
            }
            "sub" => {
                arity(self, 1, usize::MAX)?;
                let v = vals(self)?;
                v[1..].iter().fold(v[0], |a, b| a - b)
            }
            "div" => {
                arity(self, 1, usize::MAX)?;
                let v = vals(self)?;
                v[1..].iter().fold(v[0], |a, b| a / b)
            }
            "min" | "max" | "mean" => {
                arity(self, 1, usize::MAX)?;
                let v = vals(self)?;
                match e.name.as_str() {
                    "min" => v.iter().copied().fold(f64::INFINITY, f64::min),
                    "max" => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    _ => v.iter().sum::<f64>() / v.len() as f64,
                }
            }
            "abs" | "exp" | "log" | "log10" | "sqrt" => {
                arity(self, 1, 1)?;
                let x = vals(self)?[0];
                match e.name.as_str() {
                    "abs" => x.abs(),
                    "exp" => x.exp(),
                    "log" => x.ln(),
                    "log10" => x.log10(),
                    _ => x.sqrt(),
                }
            }
            "pow" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                v[0].powf(v[1])
            }
            "exponential" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                p_exp(v[0], v[1])
            }
            "GLM" => {
                arity(self, 4, 4)?;
                let v = vals(self)?;
                let (gamma, lambda, mu, t) = (v[0], v[1], v[2], v[3]);
                let r = lambda + mu;
                (lambda - (lambda - gamma * r) * (-r * t).exp()) / r
            }
            "Weibull" => {
                arity(self, 4, 4)?;
                let v = vals(self)?;
                let (alpha, beta, t0, t) = (v[0], v[1], v[2], v[3]);
                if t <= t0 {
                    0.0
                } else {
                    -(-((t - t0) / alpha).powf(beta)).exp_m1()
                }
            }
            "periodic-test" => {
                arity(self, 4, 4)?;
                // Instantaneous test and repair (SCRAM's 4-argument form).
                let v = vals(self)?;
                let (lambda, tau, theta, t) = (v[0], v[1], v[2], v[3]);
                if t <= theta {
                    p_exp(lambda, t)
                } else {
                    let delta = t - theta;
                    let after = delta - (delta / tau).trunc() * tau;
                    p_exp(lambda, if after != 0.0 { after } else { tau })
                }
            }
            // Random deviates stand for their mean, as in a point estimate.
            "lognormal-deviate" => {
                arity(self, 2, 3)?;
                let v = vals(self)?;
                if v.len() == 3 {
                    v[0]
                } else {
                    (v[0] + v[1] * v[1] / 2.0).exp()
                }
            }
            "normal-deviate" => {
                arity(self, 2, 2)?;
                vals(self)?[0]
            }
            "uniform-deviate" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                (v[0] + v[1]) / 2.0
            }
            "gamma-deviate" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                v[0] * v[1]
            }
            "beta-deviate" => {
                arity(self, 2, 2)?;
                let v = vals(self)?;
                v[0] / (v[0] + v[1])
            }
            _ => {
                return Err(self.unsupported(
                    file,
                    e,
                    "this expression",
                    "nines reads numbers, parameters, arithmetic (add, sub, mul, div, neg, pow, exp, log), exponential, GLM, Weibull, periodic-test (4 arguments) and the mean of random deviates",
                ));
            }
        };
        if !value.is_finite() {
            return Err(self.at(
                file,
                e,
                format!("this expression is {value}, not a finite number"),
            ));
        }
        Ok(value)
    }

    pub(super) fn parameter(&mut self, decl: usize) -> Result<f64, ModelError> {
        if let Some(&v) = self.param_values.get(&decl) {
            return Ok(v);
        }
        let d = &self.decls[decl];
        let (place, base, name) = (d.place, d.base.clone(), d.display.clone());
        if !self.param_busy.insert(decl) {
            return Err(self.error(
                place,
                format!("parameter `{name}` is defined in terms of itself"),
            ));
        }
        let element = d.element.expect("parameters have elements");
        let x = self.single_child(place.file, element)?;
        let v = self.expression(place.file, x, &base)?;
        self.param_busy.remove(&decl);
        self.param_values.insert(decl, v);
        Ok(v)
    }
}
