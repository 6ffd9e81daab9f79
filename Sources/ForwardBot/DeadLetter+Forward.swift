public import Gateway

extension DeadLetter.Reason {
    /// The backend refused the update for good: a 4xx other than 408 and 429.
    public static let rejected = DeadLetter.Reason("rejected")
    /// Every attempt failed: 5xx, 408, 429, a timeout or no connection.
    public static let exhausted = DeadLetter.Reason("exhausted")
    /// The backend's 2xx answer was not a JSON object with an `actions` array.
    public static let invalidAnswer = DeadLetter.Reason("invalid_answer")
    /// The answer carried more actions than one update may send.
    public static let tooManyActions = DeadLetter.Reason("too_many_actions")
    /// The answer's state was larger than the gateway keeps.
    public static let stateTooLarge = DeadLetter.Reason("state_too_large")
    /// One or more actions named an unknown method or had invalid parameters; the others were sent.
    public static let invalidAction = DeadLetter.Reason("invalid_action")
}
