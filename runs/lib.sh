# What issue 35's run queues share: the data, and run(), which skips a finished run and resumes a stopped one.
export MNIST_DIR=${MNIST_DIR:-../shared/data/mnist} PENDIGITS_DIR=${PENDIGITS_DIR:-../shared/data/pendigits}
export UNIPEN_DIR=${UNIPEN_DIR:-../shared/data/unipen}
PY=.venv/bin/python
MIX="--pen-repeat 3 --unipen-repeat 3 --threads 2"

run() {  # run OUT ARGS...: skip a finished run, resume a stopped one
  local out=$1; shift
  if [ -f "$out/done" ]; then echo "== $out: done"; return 0; fi
  local resume=()
  [ -f "$out/cnn.resume.pt" ] && resume=(--resume "$out")
  echo "== $out: $* ${resume[*]} ($(date +%T))"
  if $PY -m train "$@" --out "$out" "${resume[@]}"; then touch "$out/done"; echo "== $out ended $(date +%T)"
  else echo "== $out FAILED $(date +%T)"; return 1; fi
}

