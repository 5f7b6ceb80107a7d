//! Where the user moved cards on the workspace map: `.lambdesk/map-layout.json`. Kept
//! beside the workspace's state rather than in `function.toml`, since it is the console's
//! view of the workspace, not the functions' configuration. Cards not in the file stand
//! where the automatic layout puts them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic_write::write_atomically;
use super::workspace_graph::{NodeId, NodeKind};

/// The file's name inside `.lambdesk/`.
pub const MAP_LAYOUT_FILE: &str = "map-layout.json";

/// A card's top-left corner in map coordinates (unzoomed points).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub x_points: f32,
    pub y_points: f32,
}

/// The cards the user placed by hand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapLayout {
    pub positions: BTreeMap<NodeId, MapPoint>,
}

/// Why the layout could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum MapLayoutError {
    #[error("could not read the map layout {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file does not parse; it was moved to `kept_as` so a later save does not
    /// silently replace it.
    #[error(
        "the map layout {path} is damaged ({reason}); the map uses its automatic layout, \
         and the damaged file was kept as {kept_as}"
    )]
    Damaged {
        path: PathBuf,
        reason: String,
        kept_as: PathBuf,
    },
    #[error("could not save the map layout {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    cards: Vec<CardEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CardEntry {
    kind: String,
    key: String,
    #[serde(flatten)]
    at: MapPoint,
}

fn kind_word(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Route => "route",
        NodeKind::Schedule => "schedule",
        NodeKind::Bucket => "bucket",
        NodeKind::Queue => "queue",
        NodeKind::Topic => "topic",
        NodeKind::Function => "function",
    }
}

fn kind_of_word(word: &str) -> Option<NodeKind> {
    [
        NodeKind::Route,
        NodeKind::Schedule,
        NodeKind::Bucket,
        NodeKind::Queue,
        NodeKind::Topic,
        NodeKind::Function,
    ]
    .into_iter()
    .find(|kind| kind_word(*kind) == word)
}

impl MapLayout {
    /// `.lambdesk/map-layout.json` of the workspace whose state folder is `state_dir`.
    pub fn path_in(state_dir: &Path) -> PathBuf {
        state_dir.join(MAP_LAYOUT_FILE)
    }

    /// The layout saved at `path`; empty when there is none. A file that does not parse is
    /// moved aside (`map-layout.json.damaged`) and reported.
    pub fn load(path: &Path) -> Result<Self, MapLayoutError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(source) => {
                return Err(MapLayoutError::Read {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let parsed = serde_json::from_str::<LayoutFile>(&text)
            .map_err(|error| error.to_string())
            .and_then(|file| {
                file.cards
                    .into_iter()
                    .map(|card| {
                        let kind = kind_of_word(&card.kind)
                            .ok_or_else(|| format!("unknown card kind \"{}\"", card.kind))?;
                        if !(card.at.x_points.is_finite() && card.at.y_points.is_finite()) {
                            return Err(format!("card \"{}\" has no finite position", card.key));
                        }
                        Ok((NodeId::new(kind, &card.key), card.at))
                    })
                    .collect::<Result<BTreeMap<_, _>, String>>()
            });
        match parsed {
            Ok(positions) => Ok(Self { positions }),
            Err(reason) => {
                let mut kept_as = path.as_os_str().to_owned();
                kept_as.push(".damaged");
                let kept_as = PathBuf::from(kept_as);
                std::fs::rename(path, &kept_as).map_err(|source| MapLayoutError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                Err(MapLayoutError::Damaged {
                    path: path.to_owned(),
                    reason,
                    kept_as,
                })
            }
        }
    }

    /// Writes the layout to `path` atomically (a temporary file, then a rename).
    pub fn save(&self, path: &Path) -> Result<(), MapLayoutError> {
        let file = LayoutFile {
            cards: self
                .positions
                .iter()
                .map(|(node, at)| CardEntry {
                    kind: kind_word(node.kind).to_owned(),
                    key: node.key.clone(),
                    at: *at,
                })
                .collect(),
        };
        let write_error = |source| MapLayoutError::Write {
            path: path.to_owned(),
            source,
        };
        let text = serde_json::to_string_pretty(&file)
            .map_err(|error| write_error(std::io::Error::other(error)))?;
        write_atomically(path, text.as_bytes()).map_err(write_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_layout_loads_back_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = MapLayout::path_in(&dir.path().join(".lambdesk"));
        assert_eq!(MapLayout::load(&path).unwrap(), MapLayout::default());
        let mut layout = MapLayout::default();
        layout.positions.insert(
            NodeId::new(NodeKind::Schedule, "nightly: rate(1 day)"),
            MapPoint {
                x_points: -40.5,
                y_points: 300.0,
            },
        );
        layout.positions.insert(
            NodeId::new(NodeKind::Function, "hello"),
            MapPoint {
                x_points: 10.0,
                y_points: 20.0,
            },
        );
        layout.save(&path).unwrap();
        assert_eq!(MapLayout::load(&path).unwrap(), layout);
    }

    #[test]
    fn a_damaged_layout_is_reported_and_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = MapLayout::path_in(dir.path());
        std::fs::write(&path, "{\"cards\": [{\"kind\": \"dragon\"").unwrap();
        let error = MapLayout::load(&path).unwrap_err();
        assert!(matches!(error, MapLayoutError::Damaged { .. }), "{error}");
        assert!(
            error.to_string().contains("map-layout.json.damaged"),
            "{error}"
        );
        assert!(!path.exists());
        assert!(dir.path().join("map-layout.json.damaged").is_file());
        // The next opening starts from the automatic layout without a notice.
        assert_eq!(MapLayout::load(&path).unwrap(), MapLayout::default());
    }
}
