/// A CLDR plural category: which form of a message a count takes.
///
/// The raw values are the names catalogs use as the keys of a plural object.
public enum PluralCategory: String, Sendable, Hashable, CaseIterable {
    case zero
    case one
    case two
    case few
    case many
    case other
}
