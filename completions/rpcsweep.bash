# bash completion for rpcsweep (generated from its command definitions; do not edit)
_rpcsweep() {
  local cur cmdpath="" w i
  cur="${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "${cmdpath:+$cmdpath }$w" in
      "scan") cmdpath="scan" ;;
      "inspect") cmdpath="inspect" ;;
      "epm") cmdpath="epm" ;;
      "lab") cmdpath="lab" ;;
      "lab up") cmdpath="lab up" ;;
      "lab down") cmdpath="lab down" ;;
      "lab list") cmdpath="lab list" ;;
      "ioc") cmdpath="ioc" ;;
      "advise") cmdpath="advise" ;;
      "simulate") cmdpath="simulate" ;;
      "exposure") cmdpath="exposure" ;;
      "import") cmdpath="import" ;;
      "history") cmdpath="history" ;;
      "diff") cmdpath="diff" ;;
    esac
  done
  local words
  case "$cmdpath" in
    "") words="scan inspect epm lab ioc advise simulate exposure import history diff -V --version" ;;
    "scan") words="-i --input-list --exclude --exclude-file --no-blocklist --domain --seed --shard --dry-run --concurrency --rate --timeout --port --retries --workers -n --netbios --epm --indicators --no-dcom-version --fallback-593 --connection-per-probe --format --no-advice -o --output --resume-file --resume --fail-on --lab --db --db-keep-unreachable --help" ;;
    "inspect") words="--format --filter --help" ;;
    "epm") words="--timeout --port --format --help" ;;
    "lab") words="up down list --help" ;;
    "lab up") words="--port --mode --json --verbose --help" ;;
    "lab down") words="--all --help" ;;
    "lab list") words="--help" ;;
    "ioc") words="--format --fail-on --help" ;;
    "advise") words="--from --format --help" ;;
    "simulate") words="--from --synthetic --density --networks16 --nat-share --nat-site-hosts --immune --win2k-share --internet --hours --seed --initial --sample-every --patch-per-day --patch-start-h --cleanup-per-day --cleanup-start-h --filter-share --filter-start-h --welchia --welchia-start-h --welchia-initial --welchia-scans-per-s --reboot-on-crash --reboots-per-day --success-probability --telescope --out --csv --json --svg --help" ;;
    "exposure") words="--exclude --no-blocklist --timeout --concurrency --rate --udp-attempts --indicators --format -o --output --seed --fail-on-reachable --help" ;;
    "import") words="--db --db-keep-unreachable --help" ;;
    "history") words="--db --host --format --help" ;;
    "diff") words="--db --format --fail-on --help" ;;
  esac
  if [[ "$cur" == -* || -z "$cur" ]] || [[ " $words " == *" $cur"* ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _rpcsweep rpcsweep
