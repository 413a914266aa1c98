// SPDX-License-Identifier: Apache-2.0
//! tests/wasi/fs_rust.rs: a Rust WASI command that uses std::fs beneath
//! the directory the test preopens as /data, and prints what it saw, for
//! test_wasi_rust.c. Built by Debian's rustc alone (no cargo).
use std::fs;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

fn kind(r: std::io::Result<()>) -> String {
    match r {
        Ok(()) => "ok".to_string(),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => "PermissionDenied".to_string(),
        Err(e) if e.kind() == ErrorKind::NotFound => "NotFound".to_string(),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => "AlreadyExists".to_string(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

fn main() {
    println!("input: {:?}", fs::read_to_string("/data/input.txt").unwrap());
    println!("create_dir: {}", kind(fs::create_dir("/data/rs")));
    println!("create_dir again: {}", kind(fs::create_dir("/data/rs")));
    fs::write("/data/rs/a.txt", b"hello from rust\n").unwrap();
    let mut f = fs::OpenOptions::new().append(true).open("/data/rs/a.txt").unwrap();
    f.write_all(b"appended\n").unwrap();
    drop(f);
    let mut f = fs::File::open("/data/rs/a.txt").unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    let mut rest = String::new();
    f.read_to_string(&mut rest).unwrap();
    println!("from 6: {:?}", rest);
    let m = fs::metadata("/data/rs/a.txt").unwrap();
    println!("len {} file {} dir {}", m.len(), m.is_file(), m.is_dir());
    println!("rename: {}", kind(fs::rename("/data/rs/a.txt", "/data/rs/b.txt")));
    fs::create_dir_all("/data/rs/x/y/z").unwrap();
    fs::write("/data/rs/x/y/z/deep", b"d").unwrap();
    let mut names: Vec<String> = fs::read_dir("/data/rs")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("read_dir: {:?}", names);
    println!("copy: {:?}", fs::copy("/data/rs/b.txt", "/data/rs/c.txt").map_err(|e| e.kind()));
    println!("escape ..: {}", kind(fs::read("/data/../secret").map(|_| ())));
    println!("escape link: {}", kind(fs::read("/data/abs_link").map(|_| ())));
    println!("canonicalize-free exists: {}", fs::metadata("/data/rs/c.txt").is_ok());
    println!("remove_dir_all: {}", kind(fs::remove_dir_all("/data/rs")));
    println!("gone: {}", fs::metadata("/data/rs").is_err());
}
