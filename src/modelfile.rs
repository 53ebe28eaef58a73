//! Model files: the safetensors layout, so any safetensors reader can open
//! them. An 8-byte little-endian header length N, N bytes of JSON header,
//! then the raw little-endian f32 tensors. The header's `__metadata__` holds
//! `format` = "aelab-model", `version` = "1" and `config` (the experiment
//! config as JSON); each tensor is named `{net}.{layer}.weight|bias` with
//! net one of encoder, decoder, head, ae_encoder; weights are (inputs × outputs).
//! Reading checks all of it and refuses, with a reason, anything else.

use crate::bail;
use crate::error::{Error, Result};
use crate::experiment::budget;
use crate::experiment::config::Config;
use crate::nn::model::Model;
use crate::nn::net::Net;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "aelab-model";
pub const VERSION: &str = "1";
const MAX_HEADER: u64 = 1 << 20;

/// JSON text to and from values, done the platform's way: serde_json
/// natively, the browser's own `JSON` in wasm (`web::BrowserJson`), which
/// keeps a second JSON library out of the page's download.
pub trait Json {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> std::result::Result<T, String>;
    /// A config, through `Config::parse` (one deserializer of configs in
    /// the download, shared with the page's Start).
    fn parse_config(&self, text: &str) -> Result<Config>;
    fn write<T: Serialize>(&self, value: &T) -> String;
}

#[cfg(not(target_arch = "wasm32"))]
pub struct SerdeJson;

#[cfg(not(target_arch = "wasm32"))]
impl Json for SerdeJson {
    fn parse<T: DeserializeOwned>(&self, text: &str) -> std::result::Result<T, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
    fn parse_config(&self, text: &str) -> Result<Config> {
        Config::parse(&mut serde_json::Deserializer::from_str(text))
    }
    fn write<T: Serialize>(&self, value: &T) -> String {
        serde_json::to_string(value).expect("plain data serialises")
    }
}

/// One header entry: `__metadata__` fills the first three fields, a tensor
/// the last three.
#[derive(Default, Serialize, Deserialize)]
struct Entry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shape: Option<Vec<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data_offsets: Option<Vec<u64>>,
}

/// The header's entries in file order, as a JSON object (a list, not a
/// map type: the download carries no tree code for a dozen names). A name
/// that comes twice is refused.
#[derive(Default)]
struct Header(Vec<(String, Entry)>);

impl Header {
    fn get(&self, name: &str) -> Option<&Entry> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, e)| e)
    }

    fn insert(&mut self, name: String, entry: Entry) {
        self.0.push((name, entry));
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

impl Serialize for Header {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Header, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Header;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of header entries")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Header, A::Error> {
                let mut h = Header::default();
                while let Some((k, v)) = map.next_entry::<String, Entry>()? {
                    if h.get(&k).is_some() {
                        return Err(serde::de::Error::custom(format!("{k} comes twice")));
                    }
                    h.insert(k, v);
                }
                Ok(h)
            }
        }
        d.deserialize_map(Entries)
    }
}
const METADATA: &str = "__metadata__";

fn nets_mut(m: &mut Model) -> [(&'static str, Option<&mut Net>); 4] {
    [
        ("encoder", m.encoder.as_mut()),
        ("decoder", m.decoder.as_mut()),
        ("head", m.head.as_mut()),
        ("ae_encoder", m.ae_encoder.as_mut()),
    ]
}

#[cfg(not(target_arch = "wasm32"))]
pub fn save(model: &Model) -> Vec<u8> {
    save_with(model, &SerdeJson)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn load(bytes: &[u8]) -> Result<Model> {
    load_with(bytes, &SerdeJson)
}

pub fn save_with(model: &Model, json: &impl Json) -> Vec<u8> {
    let mut header = Header::default();
    header.insert(
        METADATA.into(),
        Entry {
            format: Some(FORMAT.into()),
            version: Some(VERSION.into()),
            config: Some(json.write(&model.config)),
            ..Entry::default()
        },
    );
    let mut data: Vec<u8> = Vec::new();
    for (name, net) in model.nets() {
        for (i, layer) in net.layers.iter().enumerate() {
            for (kind, shape, values) in [
                (
                    "weight",
                    vec![layer.n_in(), layer.n_out()],
                    layer.w.as_slice(),
                ),
                ("bias", vec![layer.n_out()], layer.b.as_slice()),
            ] {
                let start = data.len() as u64;
                let values = values.expect("parameters are built contiguous");
                data.extend(values.iter().flat_map(|v| v.to_le_bytes()));
                header.insert(
                    format!("{name}.{i}.{kind}"),
                    Entry {
                        dtype: Some("F32".into()),
                        shape: Some(shape.iter().map(|&d| d as u64).collect()),
                        data_offsets: Some(vec![start, data.len() as u64]),
                        ..Entry::default()
                    },
                );
            }
        }
    }
    let mut head = json.write(&header).into_bytes();
    // safetensors pads the header with spaces to a multiple of 8.
    while !head.len().is_multiple_of(8) {
        head.push(b' ');
    }
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend(head);
    out.extend(data);
    out
}

pub fn load_with(bytes: &[u8], json: &impl Json) -> Result<Model> {
    if bytes.len() < 8 {
        bail!(
            "model file: {} bytes is too short to be a model file",
            bytes.len()
        );
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if n > MAX_HEADER || 8 + n > bytes.len() as u64 {
        bail!(
            "model file: not an aelab model file, or truncated (header length {n}, file {} bytes)",
            bytes.len()
        );
    }
    let text = std::str::from_utf8(&bytes[8..8 + n as usize])
        .map_err(|_| Error::new("model file: the header is not text; not an aelab model file?"))?;
    let header: Header = json.parse(text).map_err(|e| {
        Error::new(format!(
            "model file: the header is not a valid safetensors header ({e}); not an aelab model file?"
        ))
    })?;
    let data = &bytes[8 + n as usize..];
    let meta = header
        .get(METADATA)
        .ok_or_else(|| Error::new("model file: no __metadata__; not an aelab model file"))?;
    if meta.format.as_deref() != Some(FORMAT) {
        bail!(
            "model file: format {:?}, expected {FORMAT:?}",
            meta.format.as_deref().unwrap_or("missing")
        );
    }
    match meta.version.as_deref() {
        Some(VERSION) => {}
        v => bail!(
            "model file: version {:?} is not supported; this aelab reads version {VERSION}",
            v.unwrap_or("missing")
        ),
    }
    let config: Config = json
        .parse_config(meta.config.as_deref().unwrap_or(""))
        .map_err(|e| {
            Error::new(format!(
                "model file: its config does not fit this version ({e})"
            ))
        })?;
    // The config passed the size budget; before a model is built, the file
    // must hold its weights too, so a small file cannot make a large model.
    if 4 * budget::Footprint::of(&config).parameters > data.len() as u64 {
        bail!("model file: its config needs more weights than the file holds (truncated?)");
    }
    let mut model = Model::new(&config).map_err(|e| Error::new(format!("model file: {e}")))?;
    if header.keys().any(|k| k.starts_with("ae_encoder.")) {
        model.ae_encoder = model.encoder.as_ref().map(Net::snapshot);
    }
    let mut used = 1; // __metadata__
    for (name, net) in nets_mut(&mut model) {
        let Some(net) = net else { continue };
        for (i, layer) in net.layers.iter_mut().enumerate() {
            let (n_in, n_out) = (layer.n_in(), layer.n_out());
            let w = read_tensor(&header, data, &format!("{name}.{i}.weight"), &[n_in, n_out])?;
            let b = read_tensor(&header, data, &format!("{name}.{i}.bias"), &[n_out])?;
            layer
                .w
                .as_slice_mut()
                .expect("contiguous")
                .copy_from_slice(&w);
            layer
                .b
                .as_slice_mut()
                .expect("contiguous")
                .copy_from_slice(&b);
            used += 2;
        }
    }
    if used != header.len() {
        bail!(
            "model file: {} tensors do not belong to a {} model",
            header.len() - used,
            config.name
        );
    }
    if !model.all_finite() {
        bail!("model file: some weights are NaN or infinite");
    }
    Ok(model)
}

/// Where tensor `name` of `shape` lies in `data`, from the header alone.
/// Apart from the copy in `read_tensor`: as one function it was inlined
/// into the loop and made the engine's download larger.
fn declared(header: &Header, data: &[u8], name: &str, shape: &[usize]) -> Result<(usize, usize)> {
    let t = header
        .get(name)
        .ok_or_else(|| Error::new(format!("model file: tensor {name} is missing")))?;
    if t.dtype.as_deref() != Some("F32") {
        bail!("model file: tensor {name} is not F32");
    }
    let got = t.shape.clone().unwrap_or_default();
    if !got.iter().copied().eq(shape.iter().map(|&d| d as u64)) {
        bail!("model file: tensor {name} has shape {got:?}; the config needs {shape:?}");
    }
    let offs = t.data_offsets.clone().unwrap_or_default();
    let bytes = 4 * shape.iter().product::<usize>() as u64;
    let (a, b) = match offs[..] {
        [a, b] if a <= b && b <= data.len() as u64 && b - a == bytes => (a as usize, b as usize),
        _ => bail!("model file: tensor {name} has bad data offsets {offs:?} (file truncated?)"),
    };
    Ok((a, b))
}

fn read_tensor(header: &Header, data: &[u8], name: &str, shape: &[usize]) -> Result<Vec<f32>> {
    let (a, b) = declared(header, data, name, shape)?;
    Ok(data[a..b]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Protocol;
    use crate::experiment::table::{config, Preset};

    /// The first `from` in `hay` replaced by `to` (same length: offsets hold).
    fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        assert_eq!(from.len(), to.len());
        let at = hay
            .windows(from.len())
            .position(|w| w == from)
            .expect("pattern present");
        let mut out = hay.to_vec();
        out[at..at + to.len()].copy_from_slice(to);
        out
    }

    fn model() -> Model {
        let mut m =
            Model::new(&config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap()).unwrap();
        m.ae_encoder = m.encoder.as_ref().map(Net::snapshot);
        m
    }

    #[test]
    fn round_trip_is_exact() {
        let m = model();
        let bytes = save(&m);
        let back = load(&bytes).unwrap();
        assert_eq!(back.config, m.config);
        for ((n1, a), (n2, b)) in m.nets().zip(back.nets()) {
            assert_eq!(n1, n2);
            for (la, lb) in a.layers.iter().zip(&b.layers) {
                assert_eq!(la.w, lb.w);
                assert_eq!(la.b, lb.b);
            }
        }
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_a_reason() {
        let bytes = save(&model());
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "too short"),
            (bytes[..bytes.len() - 4].to_vec(), "bad data offsets"),
            (bytes[..40].to_vec(), "truncated"),
            (
                b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!".to_vec(),
                "not a valid safetensors header",
            ),
            (
                (0..4000u32)
                    .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
                    .collect(),
                "not an aelab model file",
            ),
        ];
        for (b, want) in cases {
            let e = load(&b)
                .err()
                .unwrap_or_else(|| panic!("accepted a file that should say {want:?}"))
                .message;
            assert!(e.contains(want), "{e:?} should mention {want:?}");
        }
        // A tensor named twice: which copy would count?
        let twice = replace(&bytes, b"\"head.1.weight\"", b"\"head.0.weight\"");
        let e = load(&twice).unwrap_err().message;
        assert!(e.contains("head.0.weight comes twice"), "{e}");
        let other_version = replace(&bytes, b"\"version\":\"1\"", b"\"version\":\"9\"");
        let e = load(&other_version).unwrap_err().message;
        assert!(e.contains("version \"9\" is not supported"), "{e}");
        // Another shape: the config says a 10-unit code, the tensors a 12-unit one.
        let mut c = config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap();
        c.encoder[1].width = 12;
        let wide = save(&Model::new(&c).unwrap());

        let cfg12 = serde_json::to_string(&serde_json::to_string(&c).unwrap()).unwrap();
        let mut c10 = c.clone();
        c10.encoder[1].width = 10;
        let cfg10 = serde_json::to_string(&serde_json::to_string(&c10).unwrap()).unwrap();
        let lying = replace(&wide, cfg12.as_bytes(), cfg10.as_bytes());
        assert!(
            load(&lying).unwrap_err().message.contains("shape"),
            "a shape mismatch is named"
        );
    }
}
