//! Digits: labelled 28×28 images as bytes. Read from IDX files (`idx`) or the
//! page's subset file (`subset`), turned into network inputs on a pixel scale
//! (`pixels`), and split by a protocol (`split`).

mod catalog;
mod idx;
pub mod noise;
mod pixels;
mod split;
mod subset;

pub use catalog::*;
pub use idx::*;
pub use pixels::*;
pub use split::*;
pub use subset::*;

use ndarray::Array2;

pub const SIDE: usize = 28;
pub const PIXELS: usize = SIDE * SIDE;
pub const CLASSES: usize = 10;

/// Labelled 28×28 digits, pixels as bytes 0..255, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Digits {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    pub fn select(&self, idx: &[usize]) -> Digits {
        let mut pixels = Vec::with_capacity(idx.len() * PIXELS);
        for &i in idx {
            pixels.extend_from_slice(self.image(i));
        }
        Digits {
            pixels,
            labels: idx.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    pub fn range(&self, from: usize, to: usize) -> Digits {
        Digits {
            pixels: self.pixels[from * PIXELS..to * PIXELS].to_vec(),
            labels: self.labels[from..to].to_vec(),
        }
    }

    /// Pixels as an (n × 784) matrix on the chosen scale.
    pub fn matrix(&self, scale: PixelScale) -> Array2<f32> {
        let k = scale.factor();
        Array2::from_shape_vec(
            (self.len(), PIXELS),
            self.pixels.iter().map(|&p| p as f32 * k).collect(),
        )
        .expect("pixels hold len × 784 bytes")
    }

    /// Rows `from..from + out.nrows()` of the network's input (the pixels on
    /// `scale`, deskewed row by row if asked), written into `out`.
    pub fn features_into(
        &self,
        from: usize,
        scale: PixelScale,
        deskew_rows: bool,
        mut out: ndarray::ArrayViewMut2<f32>,
    ) {
        let k = scale.factor();
        for (r, mut row) in out.rows_mut().into_iter().enumerate() {
            let px: Vec<f32> = self
                .image(from + r)
                .iter()
                .map(|&p| p as f32 / 255.0)
                .collect();
            let src = if deskew_rows {
                deskew(&px)
            } else {
                px.try_into().expect("784 pixels")
            };
            row.iter_mut()
                .zip(src.iter())
                .for_each(|(d, &s)| *d = s * 255.0 * k);
        }
    }
}

#[cfg(test)]
pub(crate) fn tiny(n: usize) -> Digits {
    Digits {
        pixels: (0..n * PIXELS).map(|i| (i % 251) as u8).collect(),
        labels: (0..n).map(|i| (i % 10) as u8).collect(),
    }
}
