//! Pixel scales (the reference fed raw 0..255) and deskewing.

use super::{PIXELS, SIDE};
use serde::{Deserialize, Serialize};

/// How pixels are fed to the network: the reference fed raw 0..255.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelScale {
    Raw,
    Unit,
}

impl PixelScale {
    pub fn factor(self) -> f32 {
        match self {
            PixelScale::Raw => 1.0,
            PixelScale::Unit => 1.0 / 255.0,
        }
    }
    /// The largest pixel value on this scale.
    pub fn peak(self) -> f32 {
        255.0 * self.factor()
    }
    /// A value on this scale → the 0..1 scale (reconstructions, inputs).
    pub fn to_unit(self, v: f32) -> f32 {
        v / self.peak()
    }
    /// A value on the 0..1 scale (a drawn pixel) → this scale.
    pub fn from_unit(self, v: f32) -> f32 {
        v * self.peak()
    }
}

/// Deskews a 28×28 image: shears it so that its ink's principal axis is
/// vertical and moves its centre of mass to the centre (bilinear sampling).
/// Slanted handwriting then lines up, which small networks find much easier.
pub fn deskew(img: &[f32]) -> [f32; PIXELS] {
    let (mut m, mut cy, mut cx) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in img.iter().enumerate() {
        let v = v as f64;
        m += v;
        cy += v * (i / SIDE) as f64;
        cx += v * (i % SIDE) as f64;
    }
    let mut out = [0.0f32; PIXELS];
    if m <= 0.0 {
        return out;
    }
    cy /= m;
    cx /= m;
    let (mut vyy, mut vxy) = (0.0f64, 0.0f64);
    for (i, &v) in img.iter().enumerate() {
        let (dy, dx) = ((i / SIDE) as f64 - cy, (i % SIDE) as f64 - cx);
        vyy += v as f64 * dy * dy;
        vxy += v as f64 * dx * dy;
    }
    let alpha = if vyy > 0.0 { vxy / vyy } else { 0.0 };
    let centre = SIDE as f64 / 2.0;
    let at = |y: i64, x: i64| -> f64 {
        if (0..SIDE as i64).contains(&y) && (0..SIDE as i64).contains(&x) {
            img[y as usize * SIDE + x as usize] as f64
        } else {
            0.0
        }
    };
    for oy in 0..SIDE {
        for ox in 0..SIDE {
            // Output (oy, ox) samples the input at the sheared, recentred point.
            let sy = oy as f64 - centre + cy;
            let sx = ox as f64 - centre + cx + alpha * (oy as f64 - centre);
            let (y0, x0) = (sy.floor(), sx.floor());
            let (fy, fx) = (sy - y0, sx - x0);
            let (y0, x0) = (y0 as i64, x0 as i64);
            let v = at(y0, x0) * (1.0 - fy) * (1.0 - fx)
                + at(y0, x0 + 1) * (1.0 - fy) * fx
                + at(y0 + 1, x0) * fy * (1.0 - fx)
                + at(y0 + 1, x0 + 1) * fy * fx;
            out[oy * SIDE + ox] = v as f32;
        }
    }
    out
}
