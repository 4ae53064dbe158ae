# Stage timing for CI: `stage NAME` ends the stage before (printing how long it took) and starts NAME;
# `stages_done` ends the last one and prints the table. If the run exits early, the EXIT trap says
# which stage failed and after how long, then prints the table so far.
declare -a stage_names=() stage_seconds=()
stage_name="" stage_started=0 run_started=$SECONDS

stage_end() {
    [ -n "$stage_name" ] || return 0
    local took=$((SECONDS - stage_started))
    stage_names+=("$stage_name")
    stage_seconds+=("$took")
    echo "== $stage_name: $(format_duration "$took")"
    stage_name=""
}

stage() {
    stage_end
    stage_name="$1"
    stage_started=$SECONDS
    echo "== $stage_name"
}

format_duration() {
    printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

stage_table() {
    local i
    echo "== CI stages"
    for i in "${!stage_names[@]}"; do
        printf '   %-24s %8s\n' "${stage_names[$i]}" "$(format_duration "${stage_seconds[$i]}")"
    done
    printf '   %-24s %8s\n' "total" "$(format_duration $((SECONDS - run_started)))"
}

stages_done() {
    stage_end
    stage_table
}

# For the EXIT trap: a failed run names its stage and how long it ran before failing.
stage_report_failure() {
    local status=$1
    [ "$status" -ne 0 ] || return 0
    if [ -n "$stage_name" ]; then
        echo "CI: stage '$stage_name' failed after $(format_duration $((SECONDS - stage_started))) (exit status $status)" >&2
        stage_names+=("$stage_name (failed)")
        stage_seconds+=("$((SECONDS - stage_started))")
        stage_name=""
    else
        echo "CI: failed outside any stage (exit status $status)" >&2
    fi
    stage_table >&2
}
