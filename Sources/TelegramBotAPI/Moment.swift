/// An instant on the outbound limiter's own time line: attoseconds since an
/// origin the limiter picks (the first instant it is given).
///
/// `ContinuousClock.Instant` is not frozen: outside the standard library its
/// layout is known only at run time, so each copy, comparison and sum of one
/// is a call, and a struct holding one is laid out at run time too. The
/// limiter compares and stores instants a dozen times per send (about 2 % of
/// the gateway's instructions went there), so inside it they are plain
/// integers, converted only where instants come in and go out. Attoseconds are
/// `Duration`'s own unit, so the conversions are exact.
struct Moment: Sendable, Hashable, Comparable {
    var attoseconds: Int128

    /// The latest moment kept: sums past it stop here rather than overflow.
    /// About 4 × 10¹⁰ years, so converting it back to an instant cannot
    /// overflow either.
    static let distantFuture = Moment(attoseconds: Int128(1) << 120)
    static let distantPast = Moment(attoseconds: -(Int128(1) << 120))

    static func < (lhs: Moment, rhs: Moment) -> Bool {
        lhs.attoseconds < rhs.attoseconds
    }

    /// `moment` moved by `duration`, within ``distantPast`` … ``distantFuture``:
    /// a `Retry-After` of any size never traps.
    static func + (moment: Moment, duration: Duration) -> Moment {
        let (sum, overflow) = moment.attoseconds.addingReportingOverflow(duration.attoseconds)
        if overflow { return duration > .zero ? distantFuture : distantPast }
        return min(max(Moment(attoseconds: sum), distantPast), distantFuture)
    }

    static func - (moment: Moment, duration: Duration) -> Moment {
        let (difference, overflow) = moment.attoseconds.subtractingReportingOverflow(duration.attoseconds)
        if overflow { return duration > .zero ? distantPast : distantFuture }
        return min(max(Moment(attoseconds: difference), distantPast), distantFuture)
    }
}

/// Converts between the limiter's moments and the clock's instants. A class,
/// so that the one instant it keeps does not make its holder's layout a
/// run-time one.
final class MomentScale: Sendable {
    let origin: ContinuousClock.Instant

    init(origin: ContinuousClock.Instant) {
        self.origin = origin
    }

    /// The moment of `instant`, saturated like every other moment.
    func moment(_ instant: ContinuousClock.Instant) -> Moment {
        Moment(attoseconds: 0) + (instant - origin)
    }

    func instant(_ moment: Moment) -> ContinuousClock.Instant {
        origin + Duration(attoseconds: moment.attoseconds)
    }
}
