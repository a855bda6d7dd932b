;; The sign-flip scan of four units over every pattern, in WebAssembly SIMD (f64x2): the same
;; arithmetic, in the same order, as scanQuadTwoSided / scanQuadGreater of sign-flip-kernel.ts, so
;; the results are bit-identical to them. Lanes 0 and 1 of the four units travel in one v128 (A),
;; lanes 2 and 3 in another (B). Compiled by tools/wasm/build-sign-flip-wasm.mjs into
;; sign-flip-wasm.ts; the tests check that file against this source.
;;
;; It serves n <= 25 pairs, where the third block table covers pairs 16 to 24 (9 bits, 512 codes),
;; so each pattern needs three table loads: S = (T0 + T1) + T2, as the JavaScript loop computes it
;; (its fourth table is then all zeros).
;;
;; Memory layout (bytes):
;;   0      tables: [(row + code) * 4 + lane] f64, rows 0 (block 0), 256 (block 1), 512 (block 2,
;;          512 codes), 1024 (block 3, unused here), 4 lanes (40960 bytes); quadTables fills them
;;   40960  nss[4] f64       40992  observed[4] f64   41024  cuts[3 x 4] f64   41120  lowCut[4] f64
;;   41152  exceed[4] i32 (out)   41168  sqrt(nss)[4] f64 ('greater')   41200  lowFactor f64 (see $phiTwoSided)
;;   at the offsets the caller passes: the differences (row-major, rows padded to 4 units); per pattern
;;   the byte offsets of its three table rows, (row + code) * 32, as u16 at [f * 4 + block] (F x 8
;;   bytes); best (F f64), counts (3 x F i32), the list of patterns with rare work (F i32) and
;;   the filter's per-pattern factor phi (F f64).
(module
  (memory (export "memory") 1)

  ;; q / (nss - q), infinite when the flipped differences are all equal (nss - q <= 0).
  (func $ratio (param $q f64) (param $nss f64) (result f64)
    (local $den f64)
    (local.set $den (f64.sub (local.get $nss) (local.get $q)))
    (if (result f64) (f64.gt (local.get $den) (f64.const 0))
      (then (f64.div (local.get $q) (local.get $den)))
      (else (if (result f64) (f64.gt (local.get $q) (f64.const 0)) (then (f64.const inf)) (else (f64.const 0))))))

  ;; s / sqrt(nss - s^2) when it can beat m (cheap test first), else -infinity.
  (func $signedT (param $s f64) (param $nss f64) (param $m f64) (result f64)
    (local $den f64)
    (if (i32.and
          (f64.ge (local.get $m) (f64.const 0))
          (i32.eqz (i32.and
            (f64.gt (local.get $s) (f64.const 0))
            (f64.gt (f64.mul (f64.mul (local.get $s) (local.get $s)) (f64.add (f64.const 1) (f64.mul (local.get $m) (local.get $m))))
                    (f64.mul (f64.mul (local.get $m) (local.get $m)) (local.get $nss))))))
      (then (return (f64.const -inf))))
    (local.set $den (f64.sub (local.get $nss) (f64.mul (local.get $s) (local.get $s))))
    (if (result f64) (f64.gt (local.get $den) (f64.const 0))
      (then (f64.div (local.get $s) (f64.sqrt (local.get $den))))
      (else (if (result f64) (f64.gt (local.get $s) (f64.const 0))
        (then (f64.const inf))
        (else (if (result f64) (f64.lt (local.get $s) (f64.const 0)) (then (f64.const -inf)) (else (f64.const 0))))))))

  ;; Units of pattern f beyond each of the 3 cut-offs: counts[k * F + f] += #(v > cuts[k * 4 + lane]).
  (func $countBeyond (param $f i32) (param $F i32) (param $counts i32) (param $vA v128) (param $vB v128)
    (local $k i32) (local $m v128) (local $at i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (i32.const 3)))
        (local.set $m (i64x2.add
          (f64x2.gt (local.get $vA) (v128.load offset=41024 (i32.shl (local.get $k) (i32.const 5))))
          (f64x2.gt (local.get $vB) (v128.load offset=41040 (i32.shl (local.get $k) (i32.const 5))))))
        (local.set $at (i32.add (local.get $counts) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $F)) (local.get $f)) (i32.const 2))))
        (i32.store (local.get $at)
          (i32.sub (i32.load (local.get $at))
            (i32.add (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $m))) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $m))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next))))

  ;; Writes the four units' exceed counts (two i64x2 counters) as i32.
  (func $storeExceed (param $eA v128) (param $eB v128)
    (i32.store (i32.const 41152) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $eA))))
    (i32.store (i32.const 41156) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $eA))))
    (i32.store (i32.const 41160) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $eB))))
    (i32.store (i32.const 41164) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $eB)))))

;; The block tables of the four units whose differences start at byte $first (row-major: pair i's
  ;; four values at $first + i $rowBytes), with the arithmetic of fillLaneTables in sign-flip-kernel.ts:
  ;; a block's entry for code 0 sums its pairs from 0 in pair order, then
  ;; T[code] = T[code ^ low] - 2 x[lowest set bit of code]. Blocks of 8, 8 and 9 pairs (rows 0, 256, 512).
  (func (export "quadTables") (param $first i32) (param $n i32) (param $rowBytes i32)
    (local $i i32) (local $at i32) (local $g i32) (local $pair0 i32) (local $bits i32) (local $size i32)
    (local $row i32) (local $code i32) (local $src i32) (local $x i32) (local $sA v128) (local $sB v128)
    (block $blocksDone
      (loop $block
        (br_if $blocksDone (i32.ge_u (local.get $g) (i32.const 3)))
        ;; bits = max(0, min(size, n - pair0)), size 8, 8, 9; the block's rows start at byte g * 256 * 32.
        (local.set $pair0 (i32.shl (local.get $g) (i32.const 3)))
        (local.set $size (select (i32.const 9) (i32.const 8) (i32.eq (local.get $g) (i32.const 2))))
        (local.set $bits (i32.sub (local.get $n) (local.get $pair0)))
        (if (i32.lt_s (local.get $bits) (i32.const 0)) (then (local.set $bits (i32.const 0))))
        (if (i32.gt_s (local.get $bits) (local.get $size)) (then (local.set $bits (local.get $size))))
        (local.set $row (i32.shl (local.get $g) (i32.const 13)))
        (local.set $sA (v128.const f64x2 0 0))
        (local.set $sB (v128.const f64x2 0 0))
        (local.set $i (i32.const 0))
        (block $summed
          (loop $sum
            (br_if $summed (i32.ge_u (local.get $i) (local.get $bits)))
            (local.set $at (i32.add (local.get $first) (i32.mul (i32.add (local.get $pair0) (local.get $i)) (local.get $rowBytes))))
            (local.set $sA (f64x2.add (local.get $sA) (v128.load (local.get $at))))
            (local.set $sB (f64x2.add (local.get $sB) (v128.load offset=16 (local.get $at))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $sum)))
        (v128.store (local.get $row) (local.get $sA))
        (v128.store offset=16 (local.get $row) (local.get $sB))
        (local.set $code (i32.const 1))
        (block $coded
          (loop $next
            (br_if $coded (i32.ge_u (local.get $code) (i32.shl (i32.const 1) (local.get $bits))))
            ;; src: the code without its lowest set bit; x: that bit's pair.
            (local.set $src (i32.add (local.get $row)
              (i32.shl (i32.xor (local.get $code) (i32.and (local.get $code) (i32.sub (i32.const 0) (local.get $code)))) (i32.const 5))))
            (local.set $x (i32.add (local.get $first) (i32.mul (i32.add (local.get $pair0) (i32.ctz (local.get $code))) (local.get $rowBytes))))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $code) (i32.const 5))))
            (v128.store (local.get $at)
              (f64x2.sub (v128.load (local.get $src)) (f64x2.mul (v128.const f64x2 2 2) (v128.load (local.get $x)))))
            (v128.store offset=16 (local.get $at)
              (f64x2.sub (v128.load offset=16 (local.get $src)) (f64x2.mul (v128.const f64x2 2 2) (v128.load offset=16 (local.get $x)))))
            (local.set $code (i32.add (local.get $code) (i32.const 1)))
            (br $next)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $block))))

  ;; S of the four units for pattern f (f8 = 8 f): (T0 + T1) + T2 from the pattern's three table byte
  ;; offsets at rows + f8, lanes 0-1 in the first v128 and 2-3 in the second (the hot loops inline it).
  (func $sums (param $rows i32) (param $f8 i32) (result v128 v128)
    (local $i0 i32) (local $i1 i32) (local $i2 i32)
    (local.set $i0 (i32.load16_u (i32.add (local.get $rows) (local.get $f8))))
    (local.set $i1 (i32.load16_u offset=2 (i32.add (local.get $rows) (local.get $f8))))
    (local.set $i2 (i32.load16_u offset=4 (i32.add (local.get $rows) (local.get $f8))))
    (f64x2.add (f64x2.add (v128.load (local.get $i0)) (v128.load (local.get $i1))) (v128.load (local.get $i2)))
    (f64x2.add (f64x2.add (v128.load offset=16 (local.get $i0)) (v128.load offset=16 (local.get $i1))) (v128.load offset=16 (local.get $i2))))

  ;; The filter's factor for a pattern whose max is now $m (two-sided, m = max q / (nss - q)):
  ;; min(lowFactor, m / (1 + m)) lowered by 1e-12, where a unit can be beyond the lowest cut-off
  ;; only if q > lowFactor nss and can beat m only if q > m / (1 + m) nss, each with room to spare
  ;; for rounding. Infinite m: nothing beats it.
  (func $phiTwoSided (param $m f64) (result f64)
    (f64.min (f64.load (i32.const 41200))
      (select (f64.const inf) (f64.mul (f64.div (local.get $m) (f64.add (f64.const 1) (local.get $m))) (f64.const 0.999999999999))
        (f64.eq (local.get $m) (f64.const inf)))))

  ;; Two-sided: q = S^2 against observed, the cut-offs and the running max of q / (nss - q). The
  ;; loop over patterns has no branch: it counts exceedances and lists at $candidates the patterns
  ;; where some unit has q > phi[f] nss, a superset of those where a unit is beyond the lowest
  ;; cut-off or beats the pattern's max (both rare; phi from $phiTwoSided); a second loop then does
  ;; the exact checks and their work for the listed patterns alone, with the same values.
  (func (export "quadTwoSided") (param $F i32) (param $rows i32) (param $best i32) (param $counts i32) (param $candidates i32) (param $phi i32)
    (local $f i32) (local $f8 i32) (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $listed i32) (local $j i32)
    (local $sA v128) (local $sB v128) (local $qA v128) (local $qB v128) (local $eA v128) (local $eB v128)
    (local $nA v128) (local $nB v128) (local $oA v128) (local $oB v128) (local $lA v128) (local $lB v128)
    (local $mm v128) (local $m f64) (local $at i32)
    (local.set $nA (v128.load (i32.const 40960)))
    (local.set $nB (v128.load (i32.const 40976)))
    (local.set $oA (v128.load (i32.const 40992)))
    (local.set $oB (v128.load (i32.const 41008)))
    (local.set $lA (v128.load (i32.const 41120)))
    (local.set $lB (v128.load (i32.const 41136)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $f) (local.get $F)))
        (local.set $f8 (i32.shl (local.get $f) (i32.const 3)))
        (local.set $i0 (i32.load16_u (i32.add (local.get $rows) (local.get $f8))))
        (local.set $i1 (i32.load16_u offset=2 (i32.add (local.get $rows) (local.get $f8))))
        (local.set $i2 (i32.load16_u offset=4 (i32.add (local.get $rows) (local.get $f8))))
        (local.set $sA (f64x2.add (f64x2.add (v128.load (local.get $i0)) (v128.load (local.get $i1))) (v128.load (local.get $i2))))
        (local.set $sB (f64x2.add (f64x2.add (v128.load offset=16 (local.get $i0)) (v128.load offset=16 (local.get $i1))) (v128.load offset=16 (local.get $i2))))
        (local.set $qA (f64x2.mul (local.get $sA) (local.get $sA)))
        (local.set $qB (f64x2.mul (local.get $sB) (local.get $sB)))
        (local.set $eA (i64x2.sub (local.get $eA) (f64x2.ge (local.get $qA) (local.get $oA))))
        (local.set $eB (i64x2.sub (local.get $eB) (f64x2.ge (local.get $qB) (local.get $oB))))
        (local.set $mm (v128.load64_splat (i32.add (local.get $phi) (local.get $f8))))
        (i32.store (i32.add (local.get $candidates) (i32.shl (local.get $listed) (i32.const 2))) (local.get $f))
        (local.set $listed (i32.add (local.get $listed)
          (v128.any_true (v128.or
            (f64x2.gt (local.get $qA) (f64x2.mul (local.get $mm) (local.get $nA)))
            (f64x2.gt (local.get $qB) (f64x2.mul (local.get $mm) (local.get $nB)))))))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $next)))
    (call $storeExceed (local.get $eA) (local.get $eB))
    (block $listDone
      (loop $nextListed
        (br_if $listDone (i32.ge_u (local.get $j) (local.get $listed)))
        (local.set $f (i32.load (i32.add (local.get $candidates) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $f8 (i32.shl (local.get $f) (i32.const 3)))
        (call $sums (local.get $rows) (local.get $f8))
        (local.set $sB)
        (local.set $sA)
        (local.set $qA (f64x2.mul (local.get $sA) (local.get $sA)))
        (local.set $qB (f64x2.mul (local.get $sB) (local.get $sB)))
        (if (v128.any_true (v128.or (f64x2.gt (local.get $qA) (local.get $lA)) (f64x2.gt (local.get $qB) (local.get $lB))))
          (then (call $countBeyond (local.get $f) (local.get $F) (local.get $counts) (local.get $qA) (local.get $qB))))
        ;; Beating the pattern's max: q / (nss - q) > m <=> q > m (nss - q).
        (local.set $at (i32.add (local.get $best) (local.get $f8)))
        (local.set $mm (v128.load64_splat (local.get $at)))
        (if (v128.any_true (v128.or
              (f64x2.gt (local.get $qA) (f64x2.mul (local.get $mm) (f64x2.sub (local.get $nA) (local.get $qA))))
              (f64x2.gt (local.get $qB) (f64x2.mul (local.get $mm) (f64x2.sub (local.get $nB) (local.get $qB))))))
          (then
            (local.set $m (f64.load (local.get $at)))
            (local.set $m
              (f64.max
                (f64.max
                  (f64.max
                    (f64.max (local.get $m) (call $ratio (f64x2.extract_lane 0 (local.get $qA)) (f64x2.extract_lane 0 (local.get $nA))))
                    (call $ratio (f64x2.extract_lane 1 (local.get $qA)) (f64x2.extract_lane 1 (local.get $nA))))
                  (call $ratio (f64x2.extract_lane 0 (local.get $qB)) (f64x2.extract_lane 0 (local.get $nB))))
                (call $ratio (f64x2.extract_lane 1 (local.get $qB)) (f64x2.extract_lane 1 (local.get $nB)))))
            (f64.store (local.get $at) (local.get $m))
            (f64.store (i32.add (local.get $phi) (local.get $f8)) (call $phiTwoSided (local.get $m)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $nextListed))))

  ;; Beating the pattern's max m in the 'greater' scan: m < 0, or (once m >= 0) s |s| (1 + m^2) > m^2 nss
  ;; for a lane (only s > 0 with s / sqrt(nss - s^2) > m passes it; branch-free as m^2 nss >= 0).
  (func $beatsGreater (param $sA v128) (param $sB v128) (param $m f64) (result i32)
    (local $m2 f64) (local $k v128) (local $lim v128)
    (local.set $m2 (f64.mul (local.get $m) (local.get $m)))
    (local.set $k (f64x2.splat (f64.add (f64.const 1) (local.get $m2))))
    (local.set $lim (f64x2.splat (local.get $m2)))
    (i32.or
      (f64.lt (local.get $m) (f64.const 0))
      (v128.any_true (v128.or
        (f64x2.gt (f64x2.mul (f64x2.mul (local.get $sA) (f64x2.abs (local.get $sA))) (local.get $k)) (f64x2.mul (local.get $lim) (v128.load (i32.const 40960))))
        (f64x2.gt (f64x2.mul (f64x2.mul (local.get $sB) (f64x2.abs (local.get $sB))) (local.get $k)) (f64x2.mul (local.get $lim) (v128.load (i32.const 40976))))))))

  ;; The filter's factor for a pattern whose max is now $m ('greater', m = max S / sqrt(nss - S^2)):
  ;; min(lowFactor, m / sqrt(1 + m^2)) lowered by 1e-12, where a unit can be beyond the lowest
  ;; cut-off only if S > lowFactor sqrt(nss) and can beat m only if S > m / sqrt(1 + m^2) sqrt(nss).
  ;; Negative m: any S may beat it; infinite m: none.
  (func $phiGreater (param $m f64) (result f64)
    (if (f64.lt (local.get $m) (f64.const 0)) (then (return (f64.const -inf))))
    (f64.min (f64.load (i32.const 41200))
      (select (f64.const inf)
        (f64.mul (f64.div (local.get $m) (f64.sqrt (f64.add (f64.const 1) (f64.mul (local.get $m) (local.get $m))))) (f64.const 0.999999999999))
        (f64.eq (local.get $m) (f64.const inf)))))

  ;; 'greater': S against observed and the cut-offs, the running max of S / sqrt(nss - S^2); the
  ;; same two loops as quadTwoSided, listing the patterns where some unit has S > phi[f] sqrt(nss)
  ;; (sqrt(nss) per lane at 41168; phi from $phiGreater).
  (func (export "quadGreater") (param $F i32) (param $rows i32) (param $best i32) (param $counts i32) (param $candidates i32) (param $phi i32)
    (local $f i32) (local $f8 i32) (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $listed i32) (local $j i32)
    (local $sA v128) (local $sB v128) (local $eA v128) (local $eB v128) (local $oA v128) (local $oB v128) (local $lA v128) (local $lB v128)
    (local $rA v128) (local $rB v128) (local $mm v128) (local $m f64) (local $at i32)
    (local.set $rA (v128.load (i32.const 41168)))
    (local.set $rB (v128.load (i32.const 41184)))
    (local.set $oA (v128.load (i32.const 40992)))
    (local.set $oB (v128.load (i32.const 41008)))
    (local.set $lA (v128.load (i32.const 41120)))
    (local.set $lB (v128.load (i32.const 41136)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $f) (local.get $F)))
        (local.set $f8 (i32.shl (local.get $f) (i32.const 3)))
        (local.set $i0 (i32.load16_u (i32.add (local.get $rows) (local.get $f8))))
        (local.set $i1 (i32.load16_u offset=2 (i32.add (local.get $rows) (local.get $f8))))
        (local.set $i2 (i32.load16_u offset=4 (i32.add (local.get $rows) (local.get $f8))))
        (local.set $sA (f64x2.add (f64x2.add (v128.load (local.get $i0)) (v128.load (local.get $i1))) (v128.load (local.get $i2))))
        (local.set $sB (f64x2.add (f64x2.add (v128.load offset=16 (local.get $i0)) (v128.load offset=16 (local.get $i1))) (v128.load offset=16 (local.get $i2))))
        (local.set $eA (i64x2.sub (local.get $eA) (f64x2.ge (local.get $sA) (local.get $oA))))
        (local.set $eB (i64x2.sub (local.get $eB) (f64x2.ge (local.get $sB) (local.get $oB))))
        (local.set $mm (v128.load64_splat (i32.add (local.get $phi) (local.get $f8))))
        (i32.store (i32.add (local.get $candidates) (i32.shl (local.get $listed) (i32.const 2))) (local.get $f))
        (local.set $listed (i32.add (local.get $listed)
          (v128.any_true (v128.or
            (f64x2.gt (local.get $sA) (f64x2.mul (local.get $mm) (local.get $rA)))
            (f64x2.gt (local.get $sB) (f64x2.mul (local.get $mm) (local.get $rB)))))))
        (local.set $f (i32.add (local.get $f) (i32.const 1)))
        (br $next)))
    (call $storeExceed (local.get $eA) (local.get $eB))
    (block $listDone
      (loop $nextListed
        (br_if $listDone (i32.ge_u (local.get $j) (local.get $listed)))
        (local.set $f (i32.load (i32.add (local.get $candidates) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $f8 (i32.shl (local.get $f) (i32.const 3)))
        (call $sums (local.get $rows) (local.get $f8))
        (local.set $sB)
        (local.set $sA)
        (if (v128.any_true (v128.or (f64x2.gt (local.get $sA) (local.get $lA)) (f64x2.gt (local.get $sB) (local.get $lB))))
          (then (call $countBeyond (local.get $f) (local.get $F) (local.get $counts) (local.get $sA) (local.get $sB))))
        (local.set $at (i32.add (local.get $best) (local.get $f8)))
        (local.set $m (f64.load (local.get $at)))
        (if (call $beatsGreater (local.get $sA) (local.get $sB) (local.get $m))
          (then
            (local.set $m
              (f64.max
                (f64.max
                  (f64.max
                    (f64.max (local.get $m) (call $signedT (f64x2.extract_lane 0 (local.get $sA)) (f64.load (i32.const 40960)) (local.get $m)))
                    (call $signedT (f64x2.extract_lane 1 (local.get $sA)) (f64.load (i32.const 40968)) (local.get $m)))
                  (call $signedT (f64x2.extract_lane 0 (local.get $sB)) (f64.load (i32.const 40976)) (local.get $m)))
                (call $signedT (f64x2.extract_lane 1 (local.get $sB)) (f64.load (i32.const 40984)) (local.get $m))))
            (f64.store (local.get $at) (local.get $m))
            (f64.store (i32.add (local.get $phi) (local.get $f8)) (call $phiGreater (local.get $m)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $nextListed)))))
