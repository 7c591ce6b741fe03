// Neo4j schema for govgraph, applied idempotently at start by the Neo4j store.
// One uniqueness constraint per node type of graph/vocabulary.py (a test keeps them in step),
// name indexes for look-ups, and a full-text index with the CJK analyzer for search.

CREATE CONSTRAINT city_uid IF NOT EXISTS FOR (n:City) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT district_uid IF NOT EXISTS FOR (n:District) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT street_uid IF NOT EXISTS FOR (n:StreetOffice) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT community_uid IF NOT EXISTS FOR (n:Community) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT compound_uid IF NOT EXISTS FOR (n:Compound) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT building_uid IF NOT EXISTS FOR (n:Building) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT grid_uid IF NOT EXISTS FOR (n:Grid) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT party_uid IF NOT EXISTS FOR (n:PartyOrganization) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT assembly_uid IF NOT EXISTS FOR (n:OwnersAssembly) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT committee_uid IF NOT EXISTS FOR (n:OwnersCommittee) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT pmc_uid IF NOT EXISTS FOR (n:PropertyManagementCommittee) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT property_uid IF NOT EXISTS FOR (n:PropertyCompany) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT dept_uid IF NOT EXISTS FOR (n:GovernmentDepartment) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT org_uid IF NOT EXISTS FOR (n:Organization) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT group_uid IF NOT EXISTS FOR (n:WorkingGroup) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT team_uid IF NOT EXISTS FOR (n:VolunteerTeam) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT person_uid IF NOT EXISTS FOR (n:Person) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT mechanism_uid IF NOT EXISTS FOR (n:Mechanism) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT meeting_uid IF NOT EXISTS FOR (n:Meeting) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT project_uid IF NOT EXISTS FOR (n:Project) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT facility_uid IF NOT EXISTS FOR (n:Facility) REQUIRE n.uid IS UNIQUE;
CREATE CONSTRAINT source_uid IF NOT EXISTS FOR (n:Source) REQUIRE n.uid IS UNIQUE;

CREATE INDEX city_name IF NOT EXISTS FOR (n:City) ON (n.name);
CREATE INDEX district_name IF NOT EXISTS FOR (n:District) ON (n.name);
CREATE INDEX street_name IF NOT EXISTS FOR (n:StreetOffice) ON (n.name);
CREATE INDEX community_name IF NOT EXISTS FOR (n:Community) ON (n.name);
CREATE INDEX compound_name IF NOT EXISTS FOR (n:Compound) ON (n.name);
CREATE INDEX building_name IF NOT EXISTS FOR (n:Building) ON (n.name);
CREATE INDEX grid_name IF NOT EXISTS FOR (n:Grid) ON (n.name);
CREATE INDEX party_name IF NOT EXISTS FOR (n:PartyOrganization) ON (n.name);
CREATE INDEX assembly_name IF NOT EXISTS FOR (n:OwnersAssembly) ON (n.name);
CREATE INDEX committee_name IF NOT EXISTS FOR (n:OwnersCommittee) ON (n.name);
CREATE INDEX pmc_name IF NOT EXISTS FOR (n:PropertyManagementCommittee) ON (n.name);
CREATE INDEX property_name IF NOT EXISTS FOR (n:PropertyCompany) ON (n.name);
CREATE INDEX dept_name IF NOT EXISTS FOR (n:GovernmentDepartment) ON (n.name);
CREATE INDEX org_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE INDEX group_name IF NOT EXISTS FOR (n:WorkingGroup) ON (n.name);
CREATE INDEX team_name IF NOT EXISTS FOR (n:VolunteerTeam) ON (n.name);
CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE INDEX mechanism_name IF NOT EXISTS FOR (n:Mechanism) ON (n.name);
CREATE INDEX meeting_name IF NOT EXISTS FOR (n:Meeting) ON (n.name);
CREATE INDEX project_name IF NOT EXISTS FOR (n:Project) ON (n.name);
CREATE INDEX facility_name IF NOT EXISTS FOR (n:Facility) ON (n.name);

CREATE FULLTEXT INDEX node_names IF NOT EXISTS FOR (n:City|District|StreetOffice|Community|Compound|Building|Grid|PartyOrganization|OwnersAssembly|OwnersCommittee|PropertyManagementCommittee|PropertyCompany|GovernmentDepartment|Organization|WorkingGroup|VolunteerTeam|Person|Mechanism|Meeting|Project|Facility) ON EACH [n.name, n.search] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}};
