# Completes command lines in a real interactive zsh, as a user pressing TAB would:
#   zsh -f zsh-complete.zsh DIR 'rpcsweep sc' 'rpcsweep scan --for' …
# DIR holds the completion file (_rpcsweep). An interactive `zsh -f -i` runs in a pseudo-terminal
# (zsh/zpty) with compinit over DIR; each line is typed followed by TAB and then ^X, bound to a widget
# that appends the edited line, in brackets, to DIR/out. Prints DIR/out. Each line waits up to 10 s.
zmodload zsh/zpty
DIR=$1; shift
OUT=$DIR/out
: > $OUT
cd $DIR
zpty session TERM=xterm zsh -f -i
zpty -w session "fpath=($DIR \$fpath); autoload -Uz compinit; compinit -u -d $DIR/zcompdump"
zpty -w session "dump() { print -r -- \"[\$BUFFER]\" >> $OUT; BUFFER=''; }; zle -N dump; bindkey '^X' dump"
n=0
for line in "$@"; do
  (( n++ ))
  zpty -w -n session "$line"$'\t\x18'
  for i in {1..100}; do
    (( $(wc -l < $OUT) >= n )) && break
    sleep 0.1
  done
done
zpty -d session
cat $OUT
