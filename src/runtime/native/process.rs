//! A native process: started with nothing of the host's environment, in its own process
//! group, with a memory rlimit, killed (with every process it started) when lambdesk
//! drops it — and by the kernel should lambdesk die first.

use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use rustix::process::{Pid, Resource, Rlimit, Signal};
use tokio::sync::watch;

use super::launch::NativeLaunch;
use super::log_pipe::ProcessEnds;

/// A started process; dropping it kills its process group.
pub struct NativeProcess {
    pid: Pid,
    /// `Some` once the process ended: how, in Lambda's words (`exit status 1`).
    exit: watch::Receiver<Option<String>>,
}

impl NativeProcess {
    /// Starts `launch` with exactly `variables` as its environment, its stdout and
    /// stderr written to `log`.
    pub fn spawn(
        launch: &NativeLaunch,
        variables: &[(String, String)],
        log: ProcessEnds,
        name: &str,
    ) -> std::io::Result<Self> {
        let mut command = Command::new(&launch.program);
        command
            .args(&launch.args)
            .env_clear()
            .envs(variables.iter().map(|(name, value)| (name, value)))
            .current_dir(&launch.working_dir)
            .stdin(Stdio::null())
            .stdout(log.stdout)
            .stderr(log.stderr)
            // Its own group: a timeout kills what the runtime started too.
            .process_group(0);
        let parent = rustix::process::getpid();
        let data_limit_bytes = launch.data_limit_bytes;
        add_child_setup(&mut command, parent, data_limit_bytes);
        let (started_tx, started_rx) = std::sync::mpsc::sync_channel(1);
        let (exit_tx, exit) = watch::channel(None);
        // The kernel's parent-death signal follows the thread that forked, not the
        // process: this thread lives exactly as long as the child (it waits for it), so
        // the signal comes only when lambdesk itself is gone.
        std::thread::Builder::new()
            .name(format!("lambdesk-process-{name}"))
            .spawn(move || {
                let mut child = match command.spawn() {
                    Ok(child) => child,
                    Err(error) => {
                        let _ = started_tx.send(Err(error));
                        return;
                    }
                };
                let _ = started_tx.send(Ok(Pid::from_child(&child)));
                drop(command);
                let ending = match child.wait() {
                    Ok(status) => describe_exit(status),
                    Err(error) => format!("wait failed: {error}"),
                };
                let _ = exit_tx.send(Some(ending));
            })?;
        let pid = started_rx
            .recv()
            .map_err(|_| std::io::Error::other("the process's thread ended before it started"))??;
        Ok(Self { pid, exit })
    }

    pub fn pid(&self) -> u32 {
        self.pid.as_raw_nonzero().get().unsigned_abs()
    }

    /// How the process ended, once it has.
    pub fn ending(&self) -> Option<String> {
        self.exit.borrow().clone()
    }

    /// Waits until the process ends and says how.
    pub async fn ended(&self) -> String {
        let mut exit = self.exit.clone();
        match exit.wait_for(Option::is_some).await {
            Ok(ending) => ending.clone().unwrap_or_default(),
            // The waiting thread is gone without a word: treat the process as ended.
            Err(_) => "exit status unknown".to_owned(),
        }
    }

    /// Kills the process and everything in its group.
    pub fn kill(&self) {
        // The group outlives its leader while its other members live; once all are
        // gone the call fails harmlessly.
        let _ = rustix::process::kill_process_group(self.pid, Signal::KILL);
    }

    /// Path of the process's status in /proc, for its memory use.
    pub fn status_path(&self) -> std::path::PathBuf {
        Path::new("/proc")
            .join(self.pid().to_string())
            .join("status")
    }
}

impl Drop for NativeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the child does between fork and exec: die with lambdesk, and take the memory
/// rlimit. Only system calls happen there (no allocation), as the fork of a threaded
/// process requires.
#[expect(
    unsafe_code,
    reason = "std makes `pre_exec` unsafe: the closure only makes async-signal-safe system calls"
)]
fn add_child_setup(command: &mut Command, parent: Pid, data_limit_bytes: u64) {
    let setup = move || -> std::io::Result<()> {
        rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
        // lambdesk may have died before the line above: nothing would kill us then.
        if rustix::process::getppid() != Some(parent) {
            return Err(rustix::io::Errno::SRCH.into());
        }
        rustix::process::setrlimit(
            Resource::Data,
            Rlimit {
                current: Some(data_limit_bytes),
                maximum: Some(data_limit_bytes),
            },
        )?;
        Ok(())
    };
    // SAFETY: `setup` makes raw system calls only (prctl, getppid, setrlimit) and
    // allocates nothing, so it is safe between fork and exec.
    unsafe {
        command.pre_exec(setup);
    }
}

/// An exit as Go's `os/exec` words it, which Lambda's messages quote: `exit status 2`,
/// `signal: killed`.
fn describe_exit(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    let signal = status.signal().unwrap_or_default();
    let name = match signal {
        1 => "hangup".to_owned(),
        2 => "interrupt".to_owned(),
        4 => "illegal instruction".to_owned(),
        6 => "aborted".to_owned(),
        7 => "bus error".to_owned(),
        8 => "floating point exception".to_owned(),
        9 => "killed".to_owned(),
        11 => "segmentation fault".to_owned(),
        13 => "broken pipe".to_owned(),
        15 => "terminated".to_owned(),
        other => other.to_string(),
    };
    let core = if status.core_dumped() {
        " (core dumped)"
    } else {
        ""
    };
    format!("signal: {name}{core}")
}

#[cfg(test)]
mod tests {
    use super::super::log_pipe::LogPipe;
    use super::*;

    fn launch(script: &str) -> NativeLaunch {
        NativeLaunch {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            extra_env: Vec::new(),
            working_dir: std::env::temp_dir(),
            data_limit_bytes: 256 * 1024 * 1024,
        }
    }

    #[tokio::test]
    async fn the_process_sees_only_the_variables_it_is_given_and_its_exit_is_worded_as_lambdas() {
        let (mut log, ends) = LogPipe::new().unwrap();
        let process = NativeProcess::spawn(
            &launch("echo \"A=$A HOME=$HOME\"; exit 3"),
            &[("A".to_owned(), "1".to_owned())],
            ends,
            "test",
        )
        .unwrap();
        assert_eq!(process.ended().await, "exit status 3");
        assert_eq!(log.take_lines_written_so_far(), ["A=1 HOME="]);
    }

    #[tokio::test]
    async fn a_kill_takes_the_whole_group_and_reads_as_signal_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("grandchild.pid");
        let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
        let (_log, ends) = LogPipe::new().unwrap();
        let process = NativeProcess::spawn(&launch(&script), &[], ends, "test").unwrap();
        let grandchild = wait_for_file(&pid_file).await;
        process.kill();
        assert_eq!(process.ended().await, "signal: killed");
        // The grandchild got the same signal: gone, or a zombie waiting for init.
        for _ in 0..200 {
            match std::fs::read_to_string(format!("/proc/{}/stat", grandchild.trim())) {
                Err(_) => return,
                Ok(stat) if stat.contains(") Z ") => return,
                Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            }
        }
        panic!("the process's child survived the kill");
    }

    async fn wait_for_file(path: &Path) -> String {
        for _ in 0..500 {
            if let Ok(text) = std::fs::read_to_string(path)
                && text.ends_with('\n')
            {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("{} was not written", path.display());
    }

    #[test]
    fn exits_are_worded_as_go_words_them() {
        assert_eq!(describe_exit(ExitStatus::default()), "exit status 0");
    }
}
