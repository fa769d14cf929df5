# shellcheck shell=bash
# A virtual cluster on one machine, sourced by the cluster tests: a head node and compute nodes,
# each a network namespace with its own hostname (a UTS namespace per process tree), its own
# /etc/hosts and its own /tmp (a node-local disk), joined by veth pairs to a bridge inside the
# head's namespace. Addresses are in 10.217.17.0/24 and exist only inside the namespaces made
# here: nothing is added to the machine's own network, and no packet leaves it.
#
# Needs root, iproute2 (ip), util-linux (nsenter, unshare, mount). Every name starts with
# tmexc<PID of the test>-, so two tests (of two checkouts, say) never meet; vc_destroy kills
# every process inside the namespaces and deletes them, and vc_clean_stale removes what a test
# killed with SIGKILL left behind.
#
# Usage (after `source vcluster.sh`):
#   vc_create WORK node1 node2 ...   make the cluster; WORK holds its files (not under /tmp:
#                                    each node mounts its own /tmp over the machine's). Paths
#                                    under the machine's /tmp named in VC_SHARED (the build
#                                    tree of a checkout in /tmp, say) stay visible on every node
#                                    at the same place, as on a cluster's shared file system
#   vc_on NODE CMD...                run CMD on NODE (head or a compute node)
#   vc_pids NODE [EXE]               process ids on NODE (only those running EXE)
#   vc_kill_node NODE                SIGKILL every process of NODE, as if it had failed
#   vc_destroy                       kill everything on every node, delete the namespaces

# shellcheck disable=SC2034  # used by the tests that source this file
VC_SUBNET=10.217.17.0/24
VC_HEAD_ADDR=10.217.17.1
VC_PREFIX=tmexc$$
VC_WORK=""
VC_NODES=()
VC_SHARED=()

# vc_addr NODE: the node's address (head .1, nodeK .10+K).
vc_addr() {
  case "$1" in
    head) echo "$VC_HEAD_ADDR" ;;
    node[0-9]*) echo "10.217.17.$((10 + ${1#node}))" ;;
    *) return 1 ;;
  esac
}

vc_ns() { echo "$VC_PREFIX-$1"; }

# Removes namespaces left by a cluster test that could not clean up (killed with SIGKILL):
# those named tmexc<PID>- whose test process no longer exists.
vc_clean_stale() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^tmexc[0-9]+-/ { print $1 }'); do
    pid=${ns#tmexc}
    pid=${pid%%-*}
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "vcluster: removing the namespace $ns of an earlier test (process $pid is gone)" >&2
      vc_kill_ns "$ns"
      ip netns delete "$ns" 2>/dev/null
    fi
  done
}

# vc_kill_ns NS: SIGKILL every process in the namespace, until none is left (bounded).
vc_kill_ns() {
  local pids
  for _ in $(seq 1 50); do
    pids=$(ip netns pids "$1" 2>/dev/null)
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086  # a list of process ids
    kill -9 $pids 2>/dev/null
    sleep 0.1
  done
  echo "vcluster: processes still in $1: $(ip netns pids "$1" 2>/dev/null | tr '\n' ' ')" >&2
  return 1
}

vc_create() {
  VC_WORK=$1
  shift
  VC_NODES=("$@")
  local bin=$VC_WORK/bin node i=0
  mkdir -p "$bin"
  {
    echo "127.0.0.1 localhost"
    for node in head "${VC_NODES[@]}"; do echo "$(vc_addr "$node") $node"; done
  } >"$VC_WORK/hosts"

  ip netns add "$(vc_ns head)" || return 1
  ip -n "$(vc_ns head)" link set lo up &&
    ip -n "$(vc_ns head)" link add br0 type bridge &&
    ip -n "$(vc_ns head)" addr add "$VC_HEAD_ADDR/24" dev br0 &&
    ip -n "$(vc_ns head)" link set br0 up || return 1
  mkdir -p "$VC_WORK/nodes/head/tmp"
  for node in "${VC_NODES[@]}"; do
    i=$((i + 1))
    ip netns add "$(vc_ns "$node")" || return 1
    # Both ends are made inside our namespaces: no interface ever appears in the machine's own.
    ip -n "$(vc_ns head)" link add "v$node" type veth peer name eth0 netns "$(vc_ns "$node")" &&
      ip -n "$(vc_ns head)" link set "v$node" master br0 up &&
      ip -n "$(vc_ns "$node")" link set lo up &&
      ip -n "$(vc_ns "$node")" addr add "$(vc_addr "$node")/24" dev eth0 &&
      ip -n "$(vc_ns "$node")" link set eth0 up || return 1
    mkdir -p "$VC_WORK/nodes/$node/tmp"
  done
  chmod 1777 "$VC_WORK"/nodes/*/tmp

  # Shared paths under /tmp: seen through the machine's /tmp, bound at WORK/machine-tmp before
  # the node's own /tmp covers it (once: a node entered from another node, as OpenMPI's agent
  # does, inherits that binding), then bound back at their place.
  local share="" path
  mkdir -p "$VC_WORK/machine-tmp"
  for path in "${VC_SHARED[@]}"; do
    case "$path" in
      /tmp/*) share="$share mkdir -p \"$path\" && mount --bind \"$VC_WORK/machine-tmp/${path#/tmp/}\" \"$path\" &&" ;;
    esac
  done
  # on-node NODE CMD...: the node's network namespace (nsenter rather than `ip netns exec`,
  # which remounts /sys and so hides /sys/fs/cgroup, without which slurmd does not start), a
  # new UTS namespace with the node's hostname, and a private mount namespace in which the
  # node's own /etc/hosts and /tmp replace the machine's.
  cat >"$bin/on-node" <<EOF
#!/bin/sh
node=\$1
shift
[ -d "$VC_WORK/nodes/\$node" ] || { echo "on-node: no node '\$node'" >&2; exit 1; }
exec nsenter --net=/run/netns/$VC_PREFIX-\$node unshare --uts --mount -- /bin/sh -c \\
  'hostname "\$0" && mount --bind "$VC_WORK/hosts" /etc/hosts &&
   { mountpoint -q "$VC_WORK/machine-tmp" || mount --bind /tmp "$VC_WORK/machine-tmp"; } &&
   mount --bind "$VC_WORK/nodes/\$0/tmp" /tmp &&$share exec "\$@"' "\$node" "\$@"
EOF
  # rsh-agent HOST COMMAND: OpenMPI's plm_rsh_agent, in the place of ssh. Like an ssh login,
  # the command runs in a shell with a fresh environment on the other node.
  cat >"$bin/rsh-agent" <<EOF
#!/bin/sh
host=\$1
shift
exec env -i PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" HOME="\${HOME:-/root}" \\
  "$bin/on-node" "\$host" /bin/sh -c "\$*"
EOF
  chmod 755 "$bin/on-node" "$bin/rsh-agent"
}

vc_on() { "$VC_WORK/bin/on-node" "$@"; }

vc_pids() {
  local pid
  for pid in $(ip netns pids "$(vc_ns "$1")" 2>/dev/null); do
    if [ -z "${2:-}" ] || [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$2" ]; then
      echo "$pid"
    fi
  done
}

vc_kill_node() { vc_kill_ns "$(vc_ns "$1")"; }

vc_destroy() {
  local node
  for node in "${VC_NODES[@]}" head; do
    ip netns list 2>/dev/null | grep -q "^$(vc_ns "$node")\b" || continue
    vc_kill_ns "$(vc_ns "$node")"
    ip netns delete "$(vc_ns "$node")"
  done
}

# vc_slurm_start CTLD_PORT SLURMD_PORT: a munged of our own (its own key and socket, in WORK),
# slurmctld on the head node and one slurmd per compute node, all inside the cluster; waits
# until every node is idle. SLURM's commands then run on the head: vc_on head sbatch ...
# Exports SLURM_CONF. Returns non-zero (with the reason on stderr) when SLURM does not start.
vc_slurm_start() {
  local s=$VC_WORK/slurm m=$VC_WORK/munge node cpus
  cpus=$(nproc)
  mkdir -p "$s/state" "$s/log" "$m"
  for node in "${VC_NODES[@]}"; do mkdir -p "$s/spool/$node"; done
  chmod 755 "$VC_WORK" "$s" "$m"
  chown munge:munge "$m"
  runuser -u munge -- mungekey --create --keyfile="$m/munge.key" || return 1
  vc_on head runuser -u munge -- munged --socket="$m/munge.socket" --key-file="$m/munge.key" \
    --pid-file="$m/munged.pid" --log-file="$m/munged.log" --seed-file="$m/munged.seed" || {
    echo "munged did not start: $(tail -n 3 "$m/munged.log" 2>/dev/null)" >&2
    return 1
  }
  export SLURM_CONF=$s/slurm.conf
  {
    cat <<CONF
ClusterName=tmexvc
SlurmctldHost=head($VC_HEAD_ADDR)
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=root
AuthInfo=cred_expire=10,socket=$m/munge.socket
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool/%n
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd-%n.pid
SlurmctldLogFile=$s/log/slurmctld.log
SlurmdLogFile=$s/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmix
ReturnToService=2
KillWait=10
MinJobAge=600
SlurmdTimeout=15
SchedulerParameters=sched_interval=5,bf_interval=5
CONF
    for node in "${VC_NODES[@]}"; do
      echo "NodeName=$node NodeAddr=$(vc_addr "$node") CPUs=$cpus State=UNKNOWN"
    done
    echo "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE OverSubscribe=FORCE:4 State=UP"
  } >"$SLURM_CONF"
  vc_on head slurmctld -f "$SLURM_CONF" || {
    echo "slurmctld did not start: $(tail -n 3 "$s/log/slurmctld.log" 2>/dev/null)" >&2
    return 1
  }
  for node in "${VC_NODES[@]}"; do
    vc_on "$node" slurmd -f "$SLURM_CONF" -N "$node" || {
      echo "slurmd on $node did not start: $(tail -n 3 "$s/log/slurmd-$node.log")" >&2
      return 1
    }
  done
  local states=""
  for _ in $(seq 1 60); do
    states=$(vc_on head sinfo -h -N -o %t 2>/dev/null | sort -u | paste -sd,)
    [ "$states" = idle ] && return 0
    sleep 0.5
  done
  echo "the nodes did not become idle (states: ${states:-none}): $(vc_on head sinfo -N 2>&1)" >&2
  return 1
}
