import Foundation
import GatewayTestSupport
import Testing

@testable import Persistence

@Suite("Splitting migration files into statements")
struct SQLScriptTests {
    @Test func semicolonsInsideQuotesCommentsAndDollarBodiesDoNotSplit() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (note text DEFAULT 'x;y', "odd;name" int);
            /* block; /* nested; */ still comment */
            INSERT INTO a (note) VALUES ('it''s; fine');
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                PERFORM 1; RETURN NEW;
            END
            $body$;
            SELECT $1::int;
            ;
            -- trailing comment only
            """
        let statements = SQLScript.statements(in: sql)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("CREATE TABLE a (note text DEFAULT 'x;y', \"odd;name\" int)"))
        #expect(statements[1].hasSuffix("INSERT INTO a (note) VALUES ('it''s; fine')"))
        #expect(statements[2].contains("PERFORM 1; RETURN NEW;"))
        #expect(statements[3] == "SELECT $1::int")
    }

    @Test func theInitialMigrationSplitsIntoWholeStatements() throws {
        let sql = try String(contentsOfFile: "\(TestDatabase.migrationsDirectory)/0001_initial.sql", encoding: .utf8)
        let statements = SQLScript.statements(in: sql)
        #expect(statements.filter { $0.contains("CREATE TABLE") }.count == 6)
        #expect(statements.contains { $0.contains("CREATE FUNCTION") && $0.contains("RETURN NEW;") })
    }
}
